package dataset

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// writeFile writes an IDX file to dir/name, gzip-compressed if name ends in
// ".gz".
func writeFile(t *testing.T, dir, name string, dims []int, data []uint8) {
	t.Helper()
	b := encodeIDX(t, dims, data, strings.HasSuffix(name, ".gz"))
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// labelsOf returns n labels cycling through the classes.
func labelsOf(n int) []uint8 {
	l := make([]uint8, n)
	for i := range l {
		l[i] = uint8(i % NumClasses)
	}
	return l
}

// writeSplit writes a valid split of n 28x28 images to dir.
func writeSplit(t *testing.T, dir, prefix, suffix string, n int) {
	t.Helper()
	writeFile(t, dir, prefix+"-images-idx3-ubyte"+suffix, []int{n, 28, 28}, seq(n*784, 3))
	writeFile(t, dir, prefix+"-labels-idx1-ubyte"+suffix, []int{n}, labelsOf(n))
}

// writeRaw writes b to dir/name.
func writeRaw(t *testing.T, dir, name string, b []byte) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

const (
	trainImages = "train-images-idx3-ubyte"
	trainLabels = "train-labels-idx1-ubyte"
)

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		split   Split
		wantN   int
		wantErr error    // matched with errors.Is, if not nil
		wantMsg []string // substrings of the error message; "DIR" stands for the directory
	}{
		{
			name:  "plain train",
			setup: func(t *testing.T, dir string) { writeSplit(t, dir, "train", "", 5) },
			split: Train, wantN: 5,
		},
		{
			name:  "gzip test",
			setup: func(t *testing.T, dir string) { writeSplit(t, dir, "t10k", ".gz", 7) },
			split: Test, wantN: 7,
		},
		{
			name: "mixed compression",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "t10k-images-idx3-ubyte", []int{2, 28, 28}, seq(2*784, 0))
				writeFile(t, dir, "t10k-labels-idx1-ubyte.gz", []int{2}, []uint8{9, 0})
			},
			split: Test, wantN: 2,
		},
		{
			name: "plain preferred over gzip",
			setup: func(t *testing.T, dir string) {
				writeSplit(t, dir, "train", "", 3)
				writeSplit(t, dir, "train", ".gz", 9)
			},
			split: Train, wantN: 3,
		},
		{
			name:    "wrong split present",
			setup:   func(t *testing.T, dir string) { writeSplit(t, dir, "train", "", 5) },
			split:   Test,
			wantErr: fs.ErrNotExist, wantMsg: []string{"t10k-images-idx3-ubyte.gz found in DIR"},
		},
		{
			name: "missing labels",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, trainImages, []int{2, 28, 28}, seq(2*784, 0))
			},
			split:   Train,
			wantErr: fs.ErrNotExist, wantMsg: []string{"train-labels-idx1-ubyte"},
		},
		{
			name: "count mismatch",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, trainImages, []int{3, 28, 28}, seq(3*784, 0))
				writeFile(t, dir, trainLabels, []int{2}, []uint8{1, 2})
			},
			split:   Train,
			wantErr: ErrCountMismatch,
			wantMsg: []string{"dataset: count mismatch: DIR/train-images-idx3-ubyte holds 3 images but DIR/train-labels-idx1-ubyte holds 2 labels"},
		},
		{
			name: "count mismatch found before the data is read",
			setup: func(t *testing.T, dir string) {
				// Only the headers: the images data is missing altogether.
				writeRaw(t, dir, trainImages, rawHeader(8, 60000, 28, 28))
				writeFile(t, dir, trainLabels, []int{2}, []uint8{1, 2})
			},
			split:   Train,
			wantErr: ErrCountMismatch, wantMsg: []string{"holds 60000 images but", "holds 2 labels"},
		},
		{
			name: "label out of range",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, trainImages, []int{3, 28, 28}, seq(3*784, 0))
				writeFile(t, dir, trainLabels+".gz", []int{3}, []uint8{1, 10, 2})
			},
			split:   Train,
			wantErr: ErrBadLabel,
			wantMsg: []string{"dataset: DIR/train-labels-idx1-ubyte.gz: label out of range: label 10 at index 1 is outside the classes 0..9"},
		},
		{
			name: "label 255 at the end",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, trainImages, []int{3, 28, 28}, seq(3*784, 0))
				writeFile(t, dir, trainLabels, []int{3}, []uint8{0, 9, 255})
			},
			split:   Train,
			wantErr: ErrBadLabel, wantMsg: []string{"label 255 at index 2"},
		},
		{
			name: "10x10 images",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, trainImages, []int{3, 10, 10}, seq(300, 0))
				writeFile(t, dir, trainLabels, []int{3}, []uint8{1, 2, 3})
			},
			split:   Train,
			wantErr: ErrBadDims,
			wantMsg: []string{"dataset: DIR/train-images-idx3-ubyte: bad dimensions: holds 10x10 images; Fashion-MNIST models need 28x28"},
		},
		{
			name: "28x27 images",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, trainImages, []int{1, 28, 27}, seq(28*27, 0))
				writeFile(t, dir, trainLabels, []int{1}, []uint8{1})
			},
			split:   Train,
			wantErr: ErrBadDims, wantMsg: []string{"holds 28x27 images; Fashion-MNIST models need 28x28"},
		},
		{
			name: "images not 3-d",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, trainImages, []int{3, 784}, seq(3*784, 0))
				writeFile(t, dir, trainLabels, []int{3}, []uint8{1, 2, 3})
			},
			split:   Train,
			wantErr: ErrBadDims, wantMsg: []string{"DIR/train-images-idx3-ubyte: bad dimensions: images have 2 dimensions [3 784], want 3 (N x 28 x 28)"},
		},
		{
			name: "labels file in place of the images",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, trainImages, []int{3}, []uint8{1, 2, 3})
				writeFile(t, dir, trainLabels, []int{3}, []uint8{1, 2, 3})
			},
			split:   Train,
			wantErr: ErrBadDims, wantMsg: []string{"DIR/train-images-idx3-ubyte: bad dimensions: holds 3 values in 1 dimension (a labels file?)"},
		},
		{
			name: "images file in place of the labels",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, trainImages, []int{3, 28, 28}, seq(3*784, 0))
				writeFile(t, dir, trainLabels, []int{3, 28, 28}, seq(3*784, 0))
			},
			split:   Train,
			wantErr: ErrBadDims, wantMsg: []string{"DIR/train-labels-idx1-ubyte: bad dimensions: holds [3 28 28] images (an images file?)"},
		},
		{
			name: "labels not 1-d",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, trainImages, []int{3, 28, 28}, seq(3*784, 0))
				writeFile(t, dir, trainLabels, []int{3, 1}, []uint8{1, 2, 3})
			},
			split:   Train,
			wantErr: ErrBadDims, wantMsg: []string{"DIR/train-labels-idx1-ubyte: bad dimensions: labels have 2 dimensions [3 1], want 1"},
		},
		{
			name: "truncated images",
			setup: func(t *testing.T, dir string) {
				writeSplit(t, dir, "train", ".gz", 5)
				b := encodeIDX(t, []int{5, 28, 28}, seq(5*784, 0), false)
				writeRaw(t, dir, trainImages, b[:1000])
			},
			split:   Train,
			wantErr: ErrTruncated, wantMsg: []string{"dataset: DIR/train-images-idx3-ubyte: idx: data truncated: want 3920 bytes, got 984"},
		},
		{
			name: "truncated labels header",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, trainImages, []int{3, 28, 28}, seq(3*784, 0))
				writeRaw(t, dir, trainLabels, []byte{0, 0, 8, 1, 0, 0})
			},
			split:   Train,
			wantErr: ErrTruncated, wantMsg: []string{"dataset: DIR/train-labels-idx1-ubyte: idx: dimensions truncated: want 4 bytes, got 2"},
		},
		{
			name: "truncated labels data",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, trainImages, []int{3, 28, 28}, seq(3*784, 0))
				writeRaw(t, dir, trainLabels, append(rawHeader(8, 3), 1, 2))
			},
			split:   Train,
			wantErr: ErrTruncated, wantMsg: []string{"DIR/train-labels-idx1-ubyte: idx: data truncated: want 3 bytes, got 2"},
		},
		{
			name: "trailing data after the labels",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, trainImages, []int{3, 28, 28}, seq(3*784, 0))
				writeRaw(t, dir, trainLabels, append(rawHeader(8, 3), 1, 2, 3, 4))
			},
			split:   Train,
			wantErr: ErrTrailingData, wantMsg: []string{"DIR/train-labels-idx1-ubyte: idx: trailing data after 3 data bytes"},
		},
		{
			name: "images of float32",
			setup: func(t *testing.T, dir string) {
				writeRaw(t, dir, trainImages, rawHeader(0x0D, 1, 28, 28))
				writeFile(t, dir, trainLabels, []int{1}, []uint8{1})
			},
			split:   Train,
			wantErr: ErrUnsupportedType, wantMsg: []string{"DIR/train-images-idx3-ubyte: idx: unsupported element type: type code 0x0d (float32)"},
		},
		{
			name: "not an IDX file",
			setup: func(t *testing.T, dir string) {
				writeRaw(t, dir, trainImages, []byte("<html>404 Not Found</html>"))
				writeFile(t, dir, trainLabels, []int{1}, []uint8{1})
			},
			split:   Train,
			wantErr: ErrBadMagic, wantMsg: []string{"DIR/train-images-idx3-ubyte: idx: bad magic: header starts with 3c 68, want 00 00"},
		},
		{
			name: "empty labels file",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, trainImages, []int{1, 28, 28}, seq(784, 0))
				writeRaw(t, dir, trainLabels+".gz", nil)
			},
			split:   Train,
			wantErr: ErrTruncated, wantMsg: []string{"DIR/train-labels-idx1-ubyte.gz: idx: header truncated: want 4 bytes, got 0"},
		},
		{
			name: "corrupt gzip",
			setup: func(t *testing.T, dir string) {
				b := encodeIDX(t, []int{2, 28, 28}, seq(2*784, 0), true)
				b[len(b)-8] ^= 0xff // CRC-32
				writeRaw(t, dir, trainImages+".gz", b)
				writeFile(t, dir, trainLabels, []int{2}, []uint8{1, 2})
			},
			split:   Train,
			wantErr: gzip.ErrChecksum, wantMsg: []string{"DIR/train-images-idx3-ubyte.gz: idx: reading data: gzip: invalid checksum"},
		},
		{
			name: "images over the element limit",
			setup: func(t *testing.T, dir string) {
				writeRaw(t, dir, trainImages, rawHeader(8, 342393, 28, 28))
				writeFile(t, dir, trainLabels, []int{1}, []uint8{1})
			},
			split:   Train,
			wantErr: ErrTooLarge, wantMsg: []string{"DIR/train-images-idx3-ubyte: idx: too large: dimensions [342393 28 28] exceed 268435456 elements"},
		},
		{
			name:    "invalid split",
			setup:   func(t *testing.T, dir string) {},
			split:   Split(7),
			wantMsg: []string{"invalid split Split(7)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			s, err := Load(dir, tt.split)
			if tt.wantErr != nil || tt.wantMsg != nil {
				if err == nil {
					t.Fatalf("Load succeeded, want error")
				}
				if s != nil {
					t.Errorf("Load returned a Set with its error")
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("error %q does not wrap %q", err, tt.wantErr)
				}
				for _, m := range tt.wantMsg {
					if m = strings.ReplaceAll(m, "DIR/", dir+string(filepath.Separator)); !strings.Contains(err.Error(), strings.ReplaceAll(m, "DIR", dir)) {
						t.Errorf("error %q does not contain %q", err, m)
					}
				}
				if !strings.HasPrefix(err.Error(), "dataset: ") {
					t.Errorf("error %q lacks the dataset: prefix", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.N != tt.wantN || s.Rows != 28 || s.Cols != 28 || s.ImageSize() != 784 {
				t.Errorf("N, Rows, Cols = %d, %d, %d; want %d, 28, 28", s.N, s.Rows, s.Cols, tt.wantN)
			}
			if len(s.Images) != s.N*784 || len(s.Labels) != s.N {
				t.Errorf("len(Images), len(Labels) = %d, %d; want %d, %d", len(s.Images), len(s.Labels), s.N*784, s.N)
			}
			if want := "IDX files (" + dir + ")"; s.Name != want {
				t.Errorf("Name = %q, want %q", s.Name, want)
			}
		})
	}
}

// TestLoadChecksHeadersBeforeAllocating gives Load a small gzip images file
// that holds 300000 real 28x28 images (235 MB once decompressed: zeros
// compress well) and a labels file that holds 2 labels: Load must refuse
// the pair from the headers, without decompressing the images.
func TestLoadChecksHeadersBeforeAllocating(t *testing.T) {
	dir := t.TempDir()
	const n = 300000
	// A gzip file may hold several members, decompressed one after the
	// other: the header, then 300 members of 1000 blank images each.
	var buf bytes.Buffer
	buf.Write(gzipBytes(t, rawHeader(8, n, 28, 28)))
	blank := gzipBytes(t, make([]byte, 1000*784))
	for range n / 1000 {
		buf.Write(blank)
	}
	if buf.Len() > 1<<20 {
		t.Fatalf("the gzip file is %d bytes, want a small one", buf.Len())
	}
	// It is a complete IDX file: header and every image.
	zr, err := gzip.NewReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	if size, err := io.Copy(io.Discard, zr); err != nil || size != 16+n*784 {
		t.Fatalf("the gzip file holds %d bytes (%v), want %d", size, err, 16+n*784)
	}
	writeRaw(t, dir, trainImages+".gz", buf.Bytes())
	writeFile(t, dir, trainLabels, []int{2}, []uint8{1, 2})

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, err = Load(dir, Train)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrCountMismatch) {
		t.Fatalf("error %v, want a count mismatch", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
		t.Errorf("Load allocated %d bytes for a %d-byte gzip file it refuses", got, buf.Len())
	}
}

func TestLoadMissingDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nope")
	_, err := Load(dir, Train)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), dir) {
		t.Errorf("Load(missing) error %v, want not-exist naming %s", err, dir)
	}
}

func TestOpen(t *testing.T) {
	// def is the default directory Open would try (DefaultDir in Open).
	var def string
	withDefault := func(_ *testing.T, dir string) { def = dir }
	Open := func(dir string, split Split) (*Set, error) { return openFrom(def, dir, split) }

	t.Run("explicit missing dir is an error", func(t *testing.T) {
		withDefault(t, filepath.Join(t.TempDir(), "absent"))
		dir := filepath.Join(t.TempDir(), "nope")
		s, err := Open(dir, Train)
		if err == nil {
			t.Fatalf("Open(%q) fell back to %q, want error", dir, s.Name)
		}
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("error %v, want not-exist", err)
		}
	})
	t.Run("explicit dir", func(t *testing.T) {
		dir := t.TempDir()
		writeSplit(t, dir, "train", ".gz", 4)
		s, err := Open(dir, Train)
		if err != nil {
			t.Fatal(err)
		}
		if s.N != 4 || s.Name != "IDX files ("+dir+")" {
			t.Errorf("Open = %d images named %q", s.N, s.Name)
		}
	})
	t.Run("default dir present", func(t *testing.T) {
		dir := t.TempDir()
		writeSplit(t, dir, "t10k", ".gz", 6)
		withDefault(t, dir)
		s, err := Open("", Test)
		if err != nil {
			t.Fatal(err)
		}
		if s.N != 6 || s.Name != "fashion-mnist ("+dir+")" {
			t.Errorf("Open = %d images named %q", s.N, s.Name)
		}
	})
	t.Run("default dir absent falls back to sample", func(t *testing.T) {
		withDefault(t, filepath.Join(t.TempDir(), "absent"))
		for _, tc := range []struct {
			split Split
			n     int
		}{{Train, SampleTrainN}, {Test, SampleTestN}} {
			s, err := Open("", tc.split)
			if err != nil {
				t.Fatal(err)
			}
			if s.N != tc.n || s.Name != "embedded sample (4000 train / 1000 test images)" {
				t.Errorf("Open(%v) = %d images named %q", tc.split, s.N, s.Name)
			}
		}
	})
	t.Run("default dir without files falls back to sample", func(t *testing.T) {
		withDefault(t, t.TempDir())
		s, err := Open("", Test)
		if err != nil {
			t.Fatal(err)
		}
		if s.Name != sampleName {
			t.Errorf("Name = %q, want %q", s.Name, sampleName)
		}
	})
	t.Run("corrupt default dir is an error", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "train-images-idx3-ubyte", []int{3, 28, 28}, seq(3*784, 0))
		writeFile(t, dir, "train-labels-idx1-ubyte", []int{3}, []uint8{1, 2, 200})
		withDefault(t, dir)
		if s, err := Open("", Train); err == nil {
			t.Errorf("Open succeeded with %q, want error for a bad label", s.Name)
		}
	})
}

func TestSample(t *testing.T) {
	for _, tc := range []struct {
		split Split
		n     int
	}{{Train, 4000}, {Test, 1000}} {
		t.Run(tc.split.String(), func(t *testing.T) {
			s, err := Sample(tc.split)
			if err != nil {
				t.Fatal(err)
			}
			if s.N != tc.n || s.Rows != 28 || s.Cols != 28 {
				t.Fatalf("N, Rows, Cols = %d, %d, %d; want %d, 28, 28", s.N, s.Rows, s.Cols, tc.n)
			}
			if len(s.Images) != tc.n*28*28 || len(s.Labels) != tc.n {
				t.Fatalf("len(Images), len(Labels) = %d, %d", len(s.Images), len(s.Labels))
			}
			var counts [NumClasses]int
			for i, l := range s.Labels {
				if l >= NumClasses {
					t.Fatalf("label %d at %d out of range", l, i)
				}
				counts[l]++
			}
			for c, n := range counts {
				if n < tc.n/20 {
					t.Errorf("class %d (%s) has only %d images", c, ClassNames()[c], n)
				}
			}
			if s.Name != sampleName {
				t.Errorf("Name = %q", s.Name)
			}

			// A fresh copy each call.
			s.Images[0]++
			s2, err := Sample(tc.split)
			if err != nil {
				t.Fatal(err)
			}
			if s2.Images[0] == s.Images[0] {
				t.Errorf("Sample returned shared memory")
			}
		})
	}
	if _, err := Sample(Split(-1)); err == nil {
		t.Errorf("Sample(Split(-1)) succeeded")
	}
}

// TestSampleMatchesDefaultDir checks that the embedded sample is exactly the
// first images of the installed dataset, when it is installed.
func TestSampleMatchesDefaultDir(t *testing.T) {
	if testing.Short() {
		t.Skip("reads the full dataset")
	}
	if _, err := os.Stat(DefaultDir); err != nil {
		t.Skipf("full dataset not installed: %v", err)
	}
	for _, split := range []Split{Train, Test} {
		full, err := Load(DefaultDir, split)
		if err != nil {
			t.Fatal(err)
		}
		s, err := Sample(split)
		if err != nil {
			t.Fatal(err)
		}
		cut := full.Subset(s.N)
		if !bytes.Equal(cut.Images, s.Images) || !bytes.Equal(cut.Labels, s.Labels) {
			t.Errorf("%v: embedded sample differs from the first %d images of %s", split, s.N, DefaultDir)
		}
	}
}

func TestSubset(t *testing.T) {
	s := &Set{Images: seq(5*6, 0), Labels: labelsOf(5), N: 5, Rows: 2, Cols: 3, Name: "x"}
	tests := []struct {
		n, wantN int
		wantName string
	}{
		{0, 0, "x, first 0"},
		{2, 2, "x, first 2"},
		{5, 5, "x"},
		{9, 5, "x"},
	}
	for _, tt := range tests {
		sub := s.Subset(tt.n)
		if sub.N != tt.wantN || len(sub.Labels) != tt.wantN || len(sub.Images) != tt.wantN*6 {
			t.Errorf("Subset(%d): N=%d, %d labels, %d pixels", tt.n, sub.N, len(sub.Labels), len(sub.Images))
		}
		if sub.Rows != 2 || sub.Cols != 3 || sub.Name != tt.wantName {
			t.Errorf("Subset(%d): %dx%d %q", tt.n, sub.Rows, sub.Cols, sub.Name)
		}
		if tt.wantN > 0 && !bytes.Equal(sub.Image(tt.wantN-1), s.Image(tt.wantN-1)) {
			t.Errorf("Subset(%d): last image differs", tt.n)
		}
	}
	defer func() {
		if recover() == nil {
			t.Errorf("Subset(-1) did not panic")
		}
	}()
	s.Subset(-1)
}

func TestSplitString(t *testing.T) {
	for s, want := range map[Split]string{Train: "train", Test: "test", Split(3): "Split(3)"} {
		if got := s.String(); got != want {
			t.Errorf("Split(%d).String() = %q, want %q", int(s), got, want)
		}
	}
}
