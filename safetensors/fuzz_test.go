package safetensors

import (
	"bytes"
	"testing"
)

// FuzzRead feeds arbitrary bytes to Read. It must never panic; it must
// agree with itself whether or not the input length is known; and any
// file it accepts must survive a Write/Read round trip unchanged.
func FuzzRead(f *testing.F) {
	f.Add(build(`{}`, nil))
	f.Add(build(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}`, f32s(1, 2)))
	f.Add(build(`{"__metadata__":{"k":"v"},"s":{"dtype":"F32","shape":[],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[0],"data_offsets":[4,4]}}`, f32s(3)))
	f.Add(build(`{"h":{"dtype":"F16","shape":[1],"data_offsets":[0,2]},"b":{"dtype":"BF16","shape":[1],"data_offsets":[2,4]},"d":{"dtype":"F64","shape":[1],"data_offsets":[4,12]}}`, make([]byte, 12)))
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
