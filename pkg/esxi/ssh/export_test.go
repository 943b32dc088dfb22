package ssh

// SetMaxOutput lowers the output cap of Run for a test and returns a
// function that restores it.
func SetMaxOutput(n int) (restore func()) {
	old := maxOutput
	maxOutput = n
	return func() { maxOutput = old }
}
