package rundir

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

func TestOpenLocksTheDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Open(dir)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second Open: %v, want ErrLocked", err)
	}
	if runtime.GOOS != "windows" && !strings.Contains(err.Error(), "process "+strconv.Itoa(os.Getpid())) {
		t.Errorf("error %q does not name the holding process", err)
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	d2, err := Open(dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	d2.Close()
}

func TestOpenRemovesStaleTemporaryFiles(t *testing.T) {
	dir := t.TempDir()
	stale := []string{".checkpoint.safetensors.tmp-123", ".curves.png.tmp-9"}
	keep := []string{"checkpoint.safetensors", "notes.tmp-1", ".hidden"}
	for _, n := range append(append([]string{}, stale...), keep...) {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, n := range stale {
		if _, err := os.Stat(filepath.Join(dir, n)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: stale temporary file still there (%v)", n, err)
		}
	}
	for _, n := range keep {
		if _, err := os.Stat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s removed: %v", n, err)
		}
	}
}

func TestOpenRefusesUnwritableDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		// root writes anywhere; use a path under a regular file instead.
		f := filepath.Join(t.TempDir(), "file")
		os.WriteFile(f, nil, 0o644)
		if _, err := Open(filepath.Join(f, "run")); err == nil || !strings.Contains(err.Error(), "cannot create output directory") {
			t.Fatalf("Open under a file: %v", err)
		}
		return
	}
	dir := t.TempDir()
	os.Chmod(dir, 0o555)
	defer os.Chmod(dir, 0o755)
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "not writable") {
		t.Fatalf("Open of a read-only directory: %v", err)
	}
}

func TestWriteFileIsAllOrNothing(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	write := func(s string) func(io.Writer) error {
		return func(w io.Writer) error { _, err := io.WriteString(w, s); return err }
	}
	if err := d.WriteFile("a.txt", write("first")); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	err = d.WriteFile("a.txt", func(w io.Writer) error {
		io.WriteString(w, "half")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("failed fill returned %v", err)
	}
	if b, _ := os.ReadFile(d.Join("a.txt")); string(b) != "first" {
		t.Errorf("after a failed write the file holds %q", b)
	}
	if err := d.WriteFile("a.txt", write("second")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(d.Join("a.txt")); string(b) != "second" {
		t.Errorf("file holds %q, want second", b)
	}
	if fi, err := os.Stat(d.Join("a.txt")); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("mode of a written file: %v (%v), want 0644", fi.Mode(), err)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), tempMarker) {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
}
