package safetensors

import (
	"bytes"
	"testing"
)

// FuzzRead feeds arbitrary bytes to Read. It must never panic; it must
// agree with itself whether or not the input length is known; what it
// returns must keep Read's promises (checkInvariants); and any file it
// accepts must survive a Write/Read round trip, float tensors converted to
// F32 and integer tensors unchanged.
func FuzzRead(f *testing.F) {
	f.Add(build(`{}`, nil))
	f.Add(build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, f32s(1, 2)))
	f.Add(build(`{"__metadata__":{"k":"v"},"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}`, f32s(3)))
	f.Add(build(`{"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[2,4]},"d":{"dtype":"F64","shape":[1],"data_offsets":[4,12]}}`, make([]byte, 12)))
	f.Add(build(`{"n":{"dtype":"I64","shape":[],"data_offsets":[0,8]},"i":{"dtype":"I32","shape":[2],"data_offsets":[8,16]},"s":{"dtype":"I16","shape":[1],"data_offsets":[16,18]},"u":{"dtype":"U16","shape":[1],"data_offsets":[18,20]},"w":{"dtype":"U32","shape":[1],"data_offsets":[20,24]},"q":{"dtype":"U64","shape":[1],"data_offsets":[24,32]}}`,
		[]byte{5, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0x80, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 0x7f}))
	f.Add(build(`{"b":{"dtype":"BOOL","shape":[2],"data_offsets":[0,2]},"u":{"dtype":"U8","shape":[1],"data_offsets":[2,3]},"i":{"dtype":"I8","shape":[1],"data_offsets":[3,4]},"e":{"dtype":"F8_E5M2","shape":[1],"data_offsets":[4,5]},"f":{"dtype":"F8_E4M3","shape":[1],"data_offsets":[5,6]},"g":{"dtype":"F8_E8M0","shape":[1],"data_offsets":[6,7]}}`,
		[]byte{1, 0, 200, 0x80, 0x7c, 0x7f, 0xff}))
	f.Fuzz(func(t *testing.T, data []byte) {
		f1, err1 := Read(bytes.NewReader(data))
		f2, err2 := Read(streamOnly{bytes.NewReader(data)})
		if (err1 == nil) != (err2 == nil) {
			t.Fatalf("sized and stream reads disagree: %v / %v", err1, err2)
		}
		if err1 != nil {
			return
		}
		if d := diffFiles(f1, f2); d != "" {
			t.Fatalf("sized and stream reads differ: %s", d)
		}
		checkInvariants(t, f1)
		for i, x := range f1.Tensors {
			if !x.DType.IsInteger() {
				f1.Tensors[i].DType = F32
			}
		}
		var buf bytes.Buffer
		if err := Write(&buf, f1.Tensors, f1.Metadata); err != nil {
			t.Fatalf("cannot write back what was read: %v", err)
		}
		f3, err := Read(&buf)
		if err != nil {
			t.Fatalf("cannot read back what was written: %v", err)
		}
		if len(f1.Metadata) == 0 {
			f1.Metadata = nil // an empty map is not written
		}
		if d := diffFiles(f1, f3); d != "" {
			t.Fatalf("round trip changed the file: %s", d)
		}
	})
}
