package safetensors

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	big := make([]float32, 40_000) // spans several read chunks
	for i := range big {
		big[i] = float32(i)*0.5 - 7
	}
	nan := float32(math.NaN())
	tests := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    []Tensor          // if different from tensors
		wantMD  map[string]string // if different from meta
	}{
		{name: "nothing", tensors: nil, want: []Tensor{}},
		{name: "one vector", tensors: []Tensor{{Name: "v", Shape: []int{3}, Data: []float32{1, 2, 3}}}},
		{
			name: "several, order kept, not sorted",
			tensors: []Tensor{
				{Name: "z.weight", Shape: []int{2, 3}, Data: []float32{1, 2, 3, 4, 5, 6}},
				{Name: "a.bias", Shape: []int{2}, Data: []float32{-1, 1}},
				{Name: "m", Shape: []int{1, 1, 2}, Data: []float32{7, 8}},
			},
		},
		{
			name: "scalars",
			tensors: []Tensor{
				{Name: "s", Shape: []int{}, Data: []float32{3.5}},
				{Name: "nil shape", Shape: nil, Data: []float32{-1}},
			},
			want: []Tensor{
				{Name: "s", Shape: []int{}, Data: []float32{3.5}},
				{Name: "nil shape", Shape: []int{}, Data: []float32{-1}},
			},
		},
		{
			name: "empty tensors first, middle and last",
			tensors: []Tensor{
				{Name: "e0", Shape: []int{0}, Data: nil},
				{Name: "x", Shape: []int{2}, Data: []float32{1, 2}},
				{Name: "e1", Shape: []int{3, 0}, Data: []float32{}},
				{Name: "y", Shape: []int{1}, Data: []float32{3}},
				{Name: "e2", Shape: []int{0, 5, 0}, Data: nil},
			},
			want: []Tensor{
				{Name: "e0", Shape: []int{0}, Data: []float32{}},
				{Name: "x", Shape: []int{2}, Data: []float32{1, 2}},
				{Name: "e1", Shape: []int{3, 0}, Data: []float32{}},
				{Name: "y", Shape: []int{1}, Data: []float32{3}},
				{Name: "e2", Shape: []int{0, 5, 0}, Data: []float32{}},
			},
		},
		{
			name: "special values",
			tensors: []Tensor{{Name: "f", Shape: []int{8}, Data: []float32{
				nan, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1)),
				math.SmallestNonzeroFloat32, math.MaxFloat32, -math.MaxFloat32, 1e-40}}},
		},
		{
			name:    "large tensor",
			tensors: []Tensor{{Name: "big", Shape: []int{200, 200}, Data: big}, {Name: "after", Shape: []int{1}, Data: []float32{9}}},
		},
		{
			name:    "metadata",
			tensors: []Tensor{{Name: "w", Shape: []int{1}, Data: []float32{1}}},
			meta:    map[string]string{"format": "pt", "html": "<a&b>", "quote": "\"\\\n\t", "unicode": "π ≈ 3.14 🙂", "": "empty key"},
		},
		{
			name:    "metadata only",
			meta:    map[string]string{"k": "v"},
			want:    []Tensor{},
			wantMD:  map[string]string{"k": "v"},
			tensors: nil,
		},
		{
			name:    "empty metadata map reads back as nil",
			tensors: []Tensor{{Name: "w", Shape: []int{1}, Data: []float32{1}}},
			meta:    map[string]string{},
			wantMD:  nil,
		},
		{
			name: "odd names",
			tensors: []Tensor{
				{Name: "", Shape: []int{1}, Data: []float32{1}},
				{Name: "__meta", Shape: []int{1}, Data: []float32{2}},
				{Name: "a\"b\\c<d>", Shape: []int{1}, Data: []float32{3}},
				{Name: "ümlaut", Shape: []int{1}, Data: []float32{4}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, tt.tensors, tt.meta); err != nil {
				t.Fatal(err)
			}
			b := buf.Bytes()
			n := binary.LittleEndian.Uint64(b)
			if n%8 != 0 {
				t.Errorf("header length %d is not a multiple of 8", n)
			}
			f, err := readAll(t, b)
			if err != nil {
				t.Fatal(err)
			}
			checkInvariants(t, f)
			want := &File{Tensors: tt.want, Metadata: tt.wantMD}
			if tt.want == nil {
				want.Tensors = tt.tensors
			}
			if tt.wantMD == nil && len(tt.meta) > 0 {
				want.Metadata = tt.meta
			}
			if d := diffFiles(f, want); d != "" {
				t.Fatal(d)
			}

			// WriteFile produces the same bytes.
			path := filepath.Join(t.TempDir(), "rt.safetensors")
			if err := WriteFile(path, tt.tensors, tt.meta); err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, b) {
				t.Fatal("WriteFile and Write produced different bytes")
			}
		})
	}
}

// TestWriteExactBytes pins the writer's output format.
func TestWriteExactBytes(t *testing.T) {
	var buf bytes.Buffer
	err := Write(&buf, []Tensor{
		{Name: "b", Shape: []int{2}, Data: []float32{1, -2}},
		{Name: "a", Shape: []int{}, Data: []float32{0.5}},
	}, map[string]string{"z": "1", "a": "<2>"})
	if err != nil {
		t.Fatal(err)
	}
	header := `{"__metadata__":{"a":"<2>","z":"1"},` +
		`"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},` +
		`"a":{"dtype":"F32","shape":[],"data_offsets":[8,12]}}`
	header += strings.Repeat(" ", (8-len(header)%8)%8)
	want := build(header, f32s(1, -2, 0.5))
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("got\n%q\nwant\n%q", buf.Bytes(), want)
	}
}

func TestWriteInvalid(t *testing.T) {
	tests := []struct {
		name    string
		tensors []Tensor
		meta    map[string]string
		want    string
	}{
		{"too little data", []Tensor{{Name: "w", Shape: []int{2, 3}, Data: make([]float32, 5)}}, nil,
			`tensor 0 "w": shape [2 3] needs 6 elements, Data has 5`},
		{"too much data", []Tensor{{Name: "w", Shape: []int{2}, Data: make([]float32, 3)}}, nil, "needs 2 elements, Data has 3"},
		{"scalar without data", []Tensor{{Name: "s", Shape: []int{}, Data: nil}}, nil, "needs 1 elements, Data has 0"},
		{"empty with data", []Tensor{{Name: "e", Shape: []int{0, 2}, Data: []float32{1}}}, nil, "needs 0 elements"},
		{"negative dimension", []Tensor{{Name: "w", Shape: []int{-1, -2}, Data: make([]float32, 2)}}, nil, "negative dimension"},
		{"overflowing shape", []Tensor{{Name: "w", Shape: []int{1 << 40, 1 << 40}, Data: nil}}, nil, "more than 2^64"},
		{"duplicate name", []Tensor{{Name: "w", Shape: []int{1}, Data: []float32{1}}, {Name: "w", Shape: []int{1}, Data: []float32{2}}}, nil,
			`tensor 1 "w": duplicate name`},
		{"reserved name", []Tensor{{Name: "__metadata__", Shape: []int{1}, Data: []float32{1}}}, nil, "reserved"},
		{"invalid UTF-8 name", []Tensor{{Name: "w\xff", Shape: []int{1}, Data: []float32{1}}}, nil, "UTF-8"},
		{"invalid UTF-8 metadata key", nil, map[string]string{"\xfe": "v"}, "metadata key"},
		{"invalid UTF-8 metadata value", nil, map[string]string{"k": "\xfe"}, `metadata value of "k"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Write(&buf, tt.tensors, tt.meta)
			if err == nil || !strings.HasPrefix(err.Error(), "safetensors: ") || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want one containing %q", err, tt.want)
			}
			if buf.Len() != 0 {
				t.Fatalf("wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

// failWriter accepts n bytes, then fails.
type failWriter struct{ n int }

var errDiskFull = errors.New("disk full")

func (w *failWriter) Write(p []byte) (int, error) {
	if len(p) > w.n {
		k := w.n
		w.n = 0
		return k, errDiskFull
	}
	w.n -= len(p)
	return len(p), nil
}

func TestWriteWriterError(t *testing.T) {
	tensors := []Tensor{{Name: "w", Shape: []int{100_000}, Data: make([]float32, 100_000)}}
	for _, n := range []int{0, 10, 100, 70_000} {
		err := Write(&failWriter{n: n}, tensors, nil)
		if !errors.Is(err, errDiskFull) {
			t.Errorf("after %d bytes: err = %v, want one wrapping %v", n, err, errDiskFull)
		}
	}
}

// dirEntries lists the names in dir.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileAtomic(t *testing.T) {
	good := []Tensor{{Name: "w", Shape: []int{2}, Data: []float32{1, 2}}}
	bad := []Tensor{good[0], {Name: "v", Shape: []int{2, 2}, Data: []float32{1, 2, 3}}}
	old := []byte("previous content")

	tests := []struct {
		name  string
		write func(path string) error
	}{
		{"invalid tensor", func(path string) error { return WriteFile(path, bad, nil) }},
		{"failure midway through the data", func(path string) error {
			return writeFileAtomic(path, func(w io.Writer) error {
				if err := Write(w, good, nil); err != nil {
					return err
				}
				return errDiskFull // after the bytes of a complete file
			})
		}},
		{"failure at the first byte", func(path string) error {
			return writeFileAtomic(path, func(w io.Writer) error { return errDiskFull })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "model.safetensors")
			if err := os.WriteFile(path, old, 0o600); err != nil {
				t.Fatal(err)
			}
			if err := tt.write(path); err == nil {
				t.Fatal("no error")
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, old) {
				t.Fatalf("existing file changed: %q, %v", got, err)
			}
			if names := dirEntries(t, dir); len(names) != 1 || names[0] != "model.safetensors" {
				t.Fatalf("directory holds %q, want only the original file", names)
			}

			// Without an existing file, nothing is left behind.
			fresh := filepath.Join(dir, "new.safetensors")
			if err := tt.write(fresh); err == nil {
				t.Fatal("no error")
			}
			if names := dirEntries(t, dir); len(names) != 1 {
				t.Fatalf("directory holds %q, want only the original file", names)
			}
		})
	}
}

func TestWriteFileReplaces(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	tensors := []Tensor{{Name: "w", Shape: []int{2}, Data: []float32{1, 2}}}

	if err := WriteFile(path, tensors, nil); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o644 {
		t.Errorf("new file mode %v, want 0644", fi.Mode().Perm())
	}

	if runtime.GOOS != "windows" {
		if err := os.Chmod(path, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	tensors[0].Data = []float32{3, 4}
	if err := WriteFile(path, tensors, map[string]string{"v": "2"}); err != nil {
		t.Fatal(err)
	}
	f, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if w, _ := f.Get("w"); w.Data[0] != 3 || f.Metadata["v"] != "2" {
		t.Errorf("file not replaced: %+v", f)
	}
	if fi, err := os.Stat(path); err != nil || (runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600) {
		t.Errorf("replaced file mode %v (%v), want the previous 0600", fi.Mode().Perm(), err)
	}
	if names := dirEntries(t, dir); len(names) != 1 {
		t.Errorf("directory holds %q", names)
	}

	// A relative path in the working directory works too.
	t.Chdir(dir)
	if err := WriteFile("rel.safetensors", tensors, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile("rel.safetensors"); err != nil {
		t.Fatal(err)
	}
}

func TestWriteFileMissingDir(t *testing.T) {
	dir := t.TempDir()
	err := WriteFile(filepath.Join(dir, "no", "such", "m.safetensors"), nil, nil)
	if err == nil || !strings.Contains(err.Error(), "safetensors: ") {
		t.Fatalf("err = %v", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("ReadFile of a missing file: %v, want os.ErrNotExist", err)
	}
}

// TestWriteFileSyncsDirectory checks that WriteFile syncs the directory
// after the rename (so that the rename survives a crash), and that a
// failing directory sync is reported, with the new file in place.
func TestWriteFileSyncsDirectory(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.safetensors")
	tensors := []Tensor{{Name: "w", Shape: []int{1}, Data: []float32{1}}}
	fill := func(w io.Writer) error { return Write(w, tensors, nil) }

	var synced []string
	record := func(d string) error {
		// The rename is done when the directory is synced.
		if names := dirEntries(t, d); len(names) != 1 || names[0] != "m.safetensors" {
			t.Errorf("directory synced while it holds %q", names)
		}
		synced = append(synced, d)
		return nil
	}
	if err := writeFileAtomicSync(path, fill, record); err != nil {
		t.Fatal(err)
	}
	if len(synced) != 1 || filepath.Clean(synced[0]) != filepath.Clean(dir) {
		t.Fatalf("synced %q, want once %q", synced, dir)
	}

	errIO := errors.New("input/output error")
	err := writeFileAtomicSync(path, fill, func(string) error { return errIO })
	if !errors.Is(err, errIO) || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "syncing its directory") {
		t.Fatalf("err = %v, want the directory sync error naming %s", err, path)
	}
	if f, err := ReadFile(path); err != nil || len(f.Tensors) != 1 {
		t.Fatalf("file after a failed directory sync: %v", err)
	}

	// The real syncDir works on a real directory, and reports a missing one.
	if err := syncDir(dir); err != nil {
		t.Errorf("syncDir(%s): %v", dir, err)
	}
	if runtime.GOOS != "windows" {
		if err := syncDir(filepath.Join(dir, "absent")); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("syncDir of a missing directory: %v", err)
		}
	}
}
