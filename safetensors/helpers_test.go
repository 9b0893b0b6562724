package safetensors

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// build returns a file made of the given header JSON (not padded) and
// data buffer, independently of the writer.
func build(header string, data []byte) []byte {
	out := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	out = append(out, header...)
	return append(out, data...)
}

// f32s encodes values as little-endian float32 bytes.
func f32s(vs ...float32) []byte {
	var b []byte
	for _, v := range vs {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b
}

// streamOnly hides every method of a reader but Read, so that Read cannot
// learn the input size.
type streamOnly struct{ r io.Reader }

func (s streamOnly) Read(p []byte) (int, error) { return s.r.Read(p) }

// readAll decodes data three ways: through a reader whose length is known
// (bytes.Reader), through a plain stream, and from a file on disk. It
// fails the test if the three disagree, and returns the first result.
func readAll(t *testing.T, data []byte) (*File, error) {
	t.Helper()
	f1, err1 := Read(bytes.NewReader(data))
	f2, err2 := Read(streamOnly{bytes.NewReader(data)})
	path := filepath.Join(t.TempDir(), "x.safetensors")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f3, err3 := ReadFile(path)
	if (err1 == nil) != (err2 == nil) || (err1 == nil) != (err3 == nil) {
		t.Fatalf("sized, stream and file reads disagree:\n sized:  %v\n stream: %v\n file:   %v", err1, err2, err3)
	}
	if err1 == nil {
		if d := diffFiles(f1, f2); d != "" {
			t.Fatalf("sized and stream reads differ: %s", d)
		}
		if d := diffFiles(f1, f3); d != "" {
			t.Fatalf("sized and file reads differ: %s", d)
		}
	}
	return f1, err1
}

// diffFiles describes the first difference between two files, comparing
// data bit for bit (so NaN equals itself), or returns "".
func diffFiles(a, b *File) string {
	if len(a.Tensors) != len(b.Tensors) {
		return fmt.Sprintf("%d tensors vs %d", len(a.Tensors), len(b.Tensors))
	}
	for i := range a.Tensors {
		if d := diffTensor(a.Tensors[i], b.Tensors[i]); d != "" {
			return fmt.Sprintf("tensor %d: %s", i, d)
		}
	}
	if len(a.Metadata) != len(b.Metadata) || (a.Metadata == nil) != (b.Metadata == nil) {
		return fmt.Sprintf("metadata %q vs %q", a.Metadata, b.Metadata)
	}
	for k, v := range a.Metadata {
		if w, ok := b.Metadata[k]; !ok || w != v {
			return fmt.Sprintf("metadata %q vs %q", a.Metadata, b.Metadata)
		}
	}
	return ""
}

// diffTensor compares name, dtype (the empty DType equals F32), shape (a
// nil shape equals an empty one), the Ints, whether Data is nil, and data
// bits.
func diffTensor(a, b Tensor) string {
	if a.Name != b.Name {
		return fmt.Sprintf("name %q vs %q", a.Name, b.Name)
	}
	if a.DType.orF32() != b.DType.orF32() {
		return fmt.Sprintf("%q: dtype %s vs %s", a.Name, a.DType, b.DType)
	}
	if !slices.Equal(a.Shape, b.Shape) {
		return fmt.Sprintf("%q: shape %v vs %v", a.Name, a.Shape, b.Shape)
	}
	if (a.Ints == nil) != (b.Ints == nil) || !slices.Equal(a.Ints, b.Ints) {
		return fmt.Sprintf("%q: Ints %v vs %v", a.Name, a.Ints, b.Ints)
	}
	if len(a.Data) != len(b.Data) || (a.Data == nil) != (b.Data == nil) {
		return fmt.Sprintf("%q: %d elements (nil %v) vs %d (nil %v)", a.Name, len(a.Data), a.Data == nil, len(b.Data), b.Data == nil)
	}
	for i := range a.Data {
		if math.Float32bits(a.Data[i]) != math.Float32bits(b.Data[i]) {
			return fmt.Sprintf("%q: element %d: %v vs %v", a.Name, i, a.Data[i], b.Data[i])
		}
	}
	return ""
}

// checkInvariants verifies what Read promises about a decoded file.
func checkInvariants(t *testing.T, f *File) {
	t.Helper()
	for _, x := range f.Tensors {
		if x.Shape == nil || x.DType.Size() == 0 {
			t.Errorf("tensor %q: nil Shape or dtype %q", x.Name, x.DType)
		}
		n := 1
		for _, d := range x.Shape {
			n *= d
		}
		if !x.DType.IsInteger() {
			if x.Data == nil || x.Ints != nil || n != len(x.Data) {
				t.Errorf("tensor %q (%s): shape %v but %d elements in Data (nil %v), Ints %v",
					x.Name, x.DType, x.Shape, len(x.Data), x.Data == nil, x.Ints)
			}
			continue
		}
		if x.Ints == nil || n != len(x.Ints) {
			t.Errorf("tensor %q (%s): shape %v but %d Ints (nil %v)", x.Name, x.DType, x.Shape, len(x.Ints), x.Ints == nil)
		}
		lo, hi := intRange(x.DType)
		exact := true
		for i, v := range x.Ints {
			if v < lo || v > hi {
				t.Errorf("tensor %q (%s): Ints[%d] = %d out of range", x.Name, x.DType, i, v)
			}
			exact = exact && exactFloat32(v)
		}
		if exact != (x.Data != nil) {
			t.Errorf("tensor %q (%s): Data nil %v, but values exact in float32 %v", x.Name, x.DType, x.Data == nil, exact)
		}
		for i := range x.Data {
			if float64(x.Data[i]) != float64(x.Ints[i]) {
				t.Errorf("tensor %q (%s): Data[%d] = %v, Ints %d", x.Name, x.DType, i, x.Data[i], x.Ints[i])
			}
		}
	}
}
