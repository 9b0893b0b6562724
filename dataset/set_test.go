package dataset

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
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

// writeSplit writes a valid split of n images of rows x cols pixels to dir.
func writeSplit(t *testing.T, dir, prefix, suffix string, n, rows, cols int) {
	t.Helper()
	writeFile(t, dir, prefix+"-images-idx3-ubyte"+suffix, []int{n, rows, cols}, seq(n*rows*cols, 3))
	writeFile(t, dir, prefix+"-labels-idx1-ubyte"+suffix, []int{n}, labelsOf(n))
}

func TestLoad(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, dir string)
		split   Split
		wantN   int
		wantErr error  // matched with errors.Is, if not nil
		wantMsg string // substring of the error message, if not empty
	}{
		{
			name:  "plain train",
			setup: func(t *testing.T, dir string) { writeSplit(t, dir, "train", "", 5, 4, 3) },
			split: Train, wantN: 5,
		},
		{
			name:  "gzip test",
			setup: func(t *testing.T, dir string) { writeSplit(t, dir, "t10k", ".gz", 7, 4, 3) },
			split: Test, wantN: 7,
		},
		{
			name: "mixed compression",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "t10k-images-idx3-ubyte", []int{2, 4, 3}, seq(24, 0))
				writeFile(t, dir, "t10k-labels-idx1-ubyte.gz", []int{2}, []uint8{9, 0})
			},
			split: Test, wantN: 2,
		},
		{
			name: "plain preferred over gzip",
			setup: func(t *testing.T, dir string) {
				writeSplit(t, dir, "train", "", 3, 4, 3)
				writeSplit(t, dir, "train", ".gz", 9, 4, 3)
			},
			split: Train, wantN: 3,
		},
		{
			name:    "wrong split present",
			setup:   func(t *testing.T, dir string) { writeSplit(t, dir, "train", "", 5, 4, 3) },
			split:   Test,
			wantErr: fs.ErrNotExist, wantMsg: "t10k-images-idx3-ubyte.gz found",
		},
		{
			name: "missing labels",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "train-images-idx3-ubyte", []int{2, 4, 3}, seq(24, 0))
			},
			split:   Train,
			wantErr: fs.ErrNotExist, wantMsg: "train-labels-idx1-ubyte",
		},
		{
			name: "count mismatch",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "train-images-idx3-ubyte", []int{3, 4, 3}, seq(36, 0))
				writeFile(t, dir, "train-labels-idx1-ubyte", []int{2}, []uint8{1, 2})
			},
			split:   Train,
			wantMsg: "3 images but 2 labels",
		},
		{
			name: "label out of range",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "train-images-idx3-ubyte", []int{3, 4, 3}, seq(36, 0))
				writeFile(t, dir, "train-labels-idx1-ubyte", []int{3}, []uint8{1, 10, 2})
			},
			split:   Train,
			wantMsg: "label 10 at index 1 is not below 10",
		},
		{
			name: "images not 3-d",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "train-images-idx3-ubyte", []int{3, 12}, seq(36, 0))
				writeFile(t, dir, "train-labels-idx1-ubyte", []int{3}, []uint8{1, 2, 3})
			},
			split:   Train,
			wantMsg: "images have 2 dimensions",
		},
		{
			name: "labels not 1-d",
			setup: func(t *testing.T, dir string) {
				writeFile(t, dir, "train-images-idx3-ubyte", []int{3, 4, 3}, seq(36, 0))
				writeFile(t, dir, "train-labels-idx1-ubyte", []int{3, 1}, []uint8{1, 2, 3})
			},
			split:   Train,
			wantMsg: "labels have 2 dimensions",
		},
		{
			name: "corrupt images",
			setup: func(t *testing.T, dir string) {
				writeSplit(t, dir, "train", ".gz", 5, 4, 3)
				b := encodeIDX(t, []int{5, 4, 3}, seq(60, 0), false)
				if err := os.WriteFile(filepath.Join(dir, "train-images-idx3-ubyte"), b[:40], 0o644); err != nil {
					t.Fatal(err)
				}
			},
			split:   Train,
			wantErr: ErrTruncated, wantMsg: "train-images-idx3-ubyte: idx: data truncated: want 60 bytes, got 24",
		},
		{
			name:    "invalid split",
			setup:   func(t *testing.T, dir string) {},
			split:   Split(7),
			wantMsg: "invalid split Split(7)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			s, err := Load(dir, tt.split)
			if tt.wantErr != nil || tt.wantMsg != "" {
				if err == nil {
					t.Fatalf("Load succeeded, want error")
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("error %q does not wrap %q", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.wantMsg) {
					t.Errorf("error %q does not contain %q", err, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.N != tt.wantN || s.Rows != 4 || s.Cols != 3 {
				t.Errorf("N, Rows, Cols = %d, %d, %d; want %d, 4, 3", s.N, s.Rows, s.Cols, tt.wantN)
			}
			if len(s.Images) != s.N*12 || len(s.Labels) != s.N {
				t.Errorf("len(Images), len(Labels) = %d, %d; want %d, %d", len(s.Images), len(s.Labels), s.N*12, s.N)
			}
			if want := "IDX files (" + dir + ")"; s.Name != want {
				t.Errorf("Name = %q, want %q", s.Name, want)
			}
		})
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
	withDefault := func(t *testing.T, dir string) {
		old := defaultDir
		defaultDir = dir
		t.Cleanup(func() { defaultDir = old })
	}

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
		writeSplit(t, dir, "train", ".gz", 4, 2, 2)
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
		writeSplit(t, dir, "t10k", ".gz", 6, 2, 2)
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
		writeFile(t, dir, "train-images-idx3-ubyte", []int{3, 2, 2}, seq(12, 0))
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
