// Package rundir manages the output directory of a training run so that a
// crash, a re-run or a second process never loses or mixes up work.
//
// A run holds its directory through [Open], which takes an exclusive lock
// (a file .lock inside the directory, locked with flock on Unix systems), so
// that two runs cannot write the same directory at once; the lock dies with
// the process, even on kill -9. Open also checks that the directory is
// writable, before any work is done, and removes the temporary files that an
// earlier, killed run may have left behind.
//
// Every file of the run is written with [Dir.WriteFile]: to a temporary file
// in the directory, synced to disk, renamed over the target, and the
// directory synced, so a reader or a crash at any moment sees either the old
// file or the complete new one, never a mix.
package rundir
