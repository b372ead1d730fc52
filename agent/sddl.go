package agent

// PipeSDDL is the security descriptor of the Windows pipe: a protected DACL
// (no inherited entries) that grants generic-all to the given user SID only
// and denies network logons.
func PipeSDDL(userSID string) string {
	return "D:P(D;;GA;;;NU)(A;;GA;;;" + userSID + ")"
}
