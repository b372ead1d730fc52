package ui

import (
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/tokendesk/tokendesk/internal/humanize"
	"github.com/tokendesk/tokendesk/keeper"
)

func (m *MainWindow) buildActivity() fyne.CanvasObject {
	m.ActivityList = widget.NewList(
		func() int { return len(m.acts) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.ListItemID, o fyne.CanvasObject) {
			l := o.(*widget.Label)
			if id >= len(m.acts) {
				l.SetText("")
				return
			}
			a := m.acts[id]
			l.Importance = widget.MediumImportance
			if a.Outcome != "" && a.Outcome != "ok" {
				l.Importance = widget.WarningImportance
			}
			l.SetText(activityRow(a, m.opt.Now()))
		},
	)
	m.ExportButton = widget.NewButtonWithIcon("Export…", theme.DocumentSaveIcon(), m.exportActivity)
	head := container.NewBorder(nil, nil, widget.NewLabel("Newest first"), m.ExportButton)
	return container.NewBorder(head, nil, nil, nil, m.ActivityList)
}

// activityRow is one list line: time (with its date when not today, and
// the zone), action, trigger, outcome, code, duration and detail.
func activityRow(a keeper.Activity, now time.Time) string {
	parts := []string{
		humanize.WhenSeconds(a.Time, now),
		a.Action,
		"(" + dash(a.Trigger) + ")",
		a.Outcome,
	}
	if a.Code != "" {
		parts = append(parts, "["+a.Code+"]")
	}
	parts = append(parts, humanize.Elapsed(a.Duration))
	if a.Message != "" {
		parts = append(parts, "— "+oneLine(a.Message))
	}
	return strings.Join(parts, "  ")
}

// updateActivity re-reads the shown profile's activity log when another
// profile is shown or the keeper reports a new entry (ActivityVersion), also
// after a refresh that changed no state. The log is read off the main
// goroutine: it may wait on the activity file's lock.
func (m *MainWindow) updateActivity() {
	sess, version := m.sess, m.status.ActivityVersion
	if sess == nil {
		m.actsFor, m.actsVersion = nil, 0
		m.showActivity(nil)
		return
	}
	if sess == m.actsFor && version == m.actsVersion {
		return
	}
	if sess != m.actsFor {
		m.showActivity(nil) // never another profile's entries
	}
	m.actsFor, m.actsVersion = sess, version
	m.loadActivity(sess, func(acts []keeper.Activity) {
		if m.actsFor == sess && m.actsVersion == version {
			m.showActivity(acts)
		}
	})
}

// showActivity puts entries in the list.
func (m *MainWindow) showActivity(acts []keeper.Activity) {
	m.acts = acts
	m.ActivityList.Refresh()
	if len(m.acts) == 0 {
		m.ExportButton.Disable()
	} else {
		m.ExportButton.Enable()
	}
}

func (m *MainWindow) exportActivity() {
	text := FormatActivity(m.acts)
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			dialog.ShowError(err, m.win)
			return
		}
		if w == nil {
			return // cancelled
		}
		_, werr := w.Write([]byte(text))
		if cerr := w.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			dialog.ShowError(fmt.Errorf("exporting the activity log: %w", werr), m.win)
			return
		}
		m.setNotice("Activity log exported to " + w.URI().Path())
	}, m.win)
	d.SetFileName("tokendesk-activity-" + m.profile + ".txt")
	d.Show()
}
