package dataset

import (
	"bytes"
	"slices"
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
