//go:build !unix

package rundir

import (
	"errors"
	"os"
)

// On systems without flock, the lock is the exclusive creation of a second
// file, .lock.held, removed by Close. A run killed without Close leaves it
// behind; the error message says to remove it.
var errWouldBlock = errors.New("lock file exists (remove .lock.held if no run is active)")

func lockFile(f *os.File) error {
	h, err := os.OpenFile(f.Name()+".held", os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if errors.Is(err, os.ErrExist) {
		return errWouldBlock
	}
	if err != nil {
		return err
	}
	return h.Close()
}

func unlockFile(f *os.File) { os.Remove(f.Name() + ".held") }

func isSyncUnsupported(error) bool { return true }
