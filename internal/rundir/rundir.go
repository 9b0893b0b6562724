package rundir

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// LockFile is the name of the lock file inside a run directory.
const LockFile = ".lock"

// tempMarker is part of the name of every temporary file WriteFile
// creates, so that Open can recognise and remove those of a killed run.
const tempMarker = ".tmp-"

// ErrLocked is returned (wrapped) by Open when another process holds the
// directory.
var ErrLocked = errors.New("in use by another run")

// Dir is a locked run directory. Its methods are safe for use by one
// goroutine at a time.
type Dir struct {
	path string
	lock *os.File
}

// Open creates the directory path if needed, locks it for this process and
// removes temporary files left by an earlier run. It fails, naming the
// directory, when path cannot be created or written, or when another
// process holds it (the error then wraps ErrLocked and names that
// process). Close releases the lock.
func Open(path string) (*Dir, error) {
	if path == "" {
		return nil, errors.New("rundir: empty directory name")
	}
	if err := os.MkdirAll(path, 0o755); err != nil {
		return nil, fmt.Errorf("rundir: cannot create output directory: %w", err)
	}
	lockPath := filepath.Join(path, LockFile)
	f, err := os.OpenFile(lockPath, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("rundir: output directory %s is not writable: %w", path, err)
	}
	if err := lockFile(f); err != nil {
		f.Close()
		holder := ""
		if b, rerr := os.ReadFile(lockPath); rerr == nil {
			if pid := strings.TrimSpace(string(b)); pid != "" {
				holder = " (process " + pid + ")"
			}
		}
		if errors.Is(err, errWouldBlock) {
			return nil, fmt.Errorf("rundir: %s is %w%s; wait for it to finish or choose another directory", path, ErrLocked, holder)
		}
		return nil, fmt.Errorf("rundir: locking %s: %w", path, err)
	}
	// Record who holds the lock, for the message above. The lock, not
	// this content, is what excludes other runs.
	if err := f.Truncate(0); err == nil {
		f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	d := &Dir{path: path, lock: f}
	if err := d.removeTemps(); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

// Path returns the directory's path.
func (d *Dir) Path() string { return d.path }

// Join returns the path of the named file inside the directory.
func (d *Dir) Join(name string) string { return filepath.Join(d.path, name) }

// Close releases the lock. The lock file stays: it is harmless, and
// removing it would race with a process that has just opened it.
func (d *Dir) Close() error {
	if d.lock == nil {
		return nil
	}
	unlockFile(d.lock)
	err := d.lock.Close()
	d.lock = nil
	return err
}

// removeTemps deletes the temporary files that WriteFile (and the
// safetensors writer, which names them the same way) leave when killed.
// Only the lock holder calls it, so no live writer is affected.
func (d *Dir) removeTemps() error {
	entries, err := os.ReadDir(d.path)
	if err != nil {
		return fmt.Errorf("rundir: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.Type().IsRegular() && strings.HasPrefix(name, ".") && strings.Contains(name, tempMarker) {
			if err := os.Remove(filepath.Join(d.path, name)); err != nil {
				return fmt.Errorf("rundir: removing a stale temporary file: %w", err)
			}
		}
	}
	return nil
}

// WriteFile writes what fill produces to the named file in the directory,
// atomically and durably: fill writes a temporary file, which is synced,
// closed and renamed over the target, and the directory is synced. If
// fill or any step fails, the target is unchanged and the temporary file
// removed.
func (d *Dir) WriteFile(name string, fill func(io.Writer) error) error {
	return WriteFile(d.Join(name), fill)
}

// WriteFile is Dir.WriteFile for any path, for files written outside a
// locked run directory.
func WriteFile(path string, fill func(io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+tempMarker+"*")
	if err != nil {
		return fmt.Errorf("rundir: writing %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err := fill(f); err != nil {
		return fmt.Errorf("rundir: writing %s: %w", path, err)
	}
	// CreateTemp makes the file private; give it the mode of the file it
	// replaces, or that of a new file.
	perm := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil && fi.Mode().IsRegular() {
		perm = fi.Mode().Perm()
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("rundir: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("rundir: syncing %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("rundir: closing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("rundir: %w", err)
	}
	return SyncDir(dir)
}

// SyncDir makes the creation, renaming and removal of files in dir
// durable. Platforms that cannot sync a directory are not an error.
func SyncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("rundir: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil && !isSyncUnsupported(err) {
		return fmt.Errorf("rundir: syncing directory %s: %w", dir, err)
	}
	return nil
}
