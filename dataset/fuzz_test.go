package dataset

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// FuzzReadIDX checks that ReadIDX never panics and that whatever it accepts
// is self-consistent: the dimensions are valid, describe exactly the data,
// and re-encode to the input when the input was not compressed.
func FuzzReadIDX(f *testing.F) {
	f.Add(encodeIDX(f, []int{2, 2, 3}, seq(12, 250), false))
	f.Add(encodeIDX(f, []int{4}, []uint8{9, 0, 0, 3}, true))
	f.Add(rawHeader(8, 1<<15, 1<<15))
	f.Fuzz(func(t *testing.T, in []byte) {
		m, err := ReadIDX(bytes.NewReader(in))
		if err != nil {
			if m != nil {
				t.Fatalf("non-nil IDX with error %v", err)
			}
			return
		}
		if len(m.Dims) < 1 || len(m.Dims) > 255 {
			t.Fatalf("%d dimensions", len(m.Dims))
		}
		n := 1
		for _, d := range m.Dims {
			if d < 1 {
				t.Fatalf("dimension %d in %v", d, m.Dims)
			}
			n *= d
		}
		if n != len(m.Data) || uint64(n) > MaxElements {
			t.Fatalf("dims %v hold %d elements, data has %d", m.Dims, n, len(m.Data))
		}
		var buf bytes.Buffer
		if err := WriteIDX(&buf, m.Dims, m.Data); err != nil {
			t.Fatalf("WriteIDX of accepted input: %v", err)
		}
		if len(in) >= 2 && in[0] == 0x1f && in[1] == 0x8b {
			m2, err := ReadIDX(&buf)
			if err != nil || !slices.Equal(m2.Dims, m.Dims) || !bytes.Equal(m2.Data, m.Data) {
				t.Fatalf("re-encoded gzip input does not read back: %v", err)
			}
		} else if !bytes.Equal(buf.Bytes(), in) {
			t.Fatalf("re-encoding differs from the accepted plain input")
		}
	})
}

// FuzzLoad feeds an arbitrary images file and labels file to the parser
// behind Load, Open and Sample. It must never panic; an error must name
// the file it is about; and an accepted pair must be a valid Set of 28x28
// images with one label below NumClasses per image.
func FuzzLoad(f *testing.F) {
	img := func(n, rows, cols int, gz bool) []byte {
		return encodeIDX(f, []int{n, rows, cols}, seq(n*rows*cols, 1), gz)
	}
	lbl := func(gz bool, labels ...uint8) []byte { return encodeIDX(f, []int{len(labels)}, labels, gz) }
	f.Add(img(2, 28, 28, false), lbl(false, 3, 9))
	f.Add(img(1, 28, 28, true), lbl(true, 0))
	f.Add(img(3, 28, 28, false), lbl(false, 1, 2))       // count mismatch
	f.Add(img(2, 28, 28, false), lbl(false, 1, 10))      // label out of range
	f.Add(img(2, 10, 10, false), lbl(false, 1, 2))       // not 28x28
	f.Add(lbl(false, 1, 2), img(2, 28, 28, false))       // swapped
	f.Add(img(2, 28, 28, false)[:100], lbl(false, 1, 2)) // truncated
	f.Add(rawHeader(8, 60000, 28, 28), lbl(false, 1))    // header only, mismatch
	f.Fuzz(func(t *testing.T, images, labels []byte) {
		s, err := loadPair("IMAGES", bytes.NewReader(images), "LABELS", bytes.NewReader(labels))
		if err != nil {
			if s != nil {
				t.Fatalf("Set returned with error %v", err)
			}
			if msg := err.Error(); !strings.HasPrefix(msg, "dataset: ") || !strings.Contains(msg, "IMAGES") && !strings.Contains(msg, "LABELS") {
				t.Fatalf("error %q does not name a file", msg)
			}
			return
		}
		if s.Rows != 28 || s.Cols != 28 || s.N < 1 || len(s.Images) != s.N*784 || len(s.Labels) != s.N {
			t.Fatalf("N %d, %dx%d, %d pixels, %d labels", s.N, s.Rows, s.Cols, len(s.Images), len(s.Labels))
		}
		for i, l := range s.Labels {
			if l >= NumClasses {
				t.Fatalf("label %d at %d", l, i)
			}
		}
	})
}
