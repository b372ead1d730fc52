package ui

import "fyne.io/fyne/v2"

// runOnMain runs f on Fyne's main goroutine; every widget change made from
// another goroutine goes through it. Tests replace it: Fyne's test driver
// runs fyne.Do inline on the calling goroutine, so tests serialise those
// callbacks with their own reads of the widgets.
var runOnMain = fyne.Do
