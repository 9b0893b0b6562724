package tensor_test

import (
	"testing"

	"github.com/spikego/spikego/tensor"
)

func TestSharesStorage(t *testing.T) {
	a := tensor.New(4, 3)
	v, err := a.Reshape(12)
	if err != nil {
		t.Fatal(err)
	}
	view := func(d []float32) *tensor.Tensor {
		t.Helper()
		x, err := tensor.FromSlice(d)
		if err != nil {
			t.Fatal(err)
		}
		return x
	}
	tail, head, empty := view(a.Data()[11:]), view(a.Data()[:1]), view(a.Data()[5:5])
	for _, tc := range []struct {
		name string
		x, y *tensor.Tensor
		want bool
	}{
		{"itself", a, a, true},
		{"reshape", a, v, true},
		{"last element", tail, v, true},
		{"first and last", head, tail, false},
		{"clone", a, a.Clone(), false},
		{"other", a, tensor.New(4, 3), false},
		{"empty view", a, empty, false},
	} {
		if got := tc.x.SharesStorage(tc.y); got != tc.want {
			t.Errorf("%s: SharesStorage = %v, want %v", tc.name, got, tc.want)
		}
		if got := tc.y.SharesStorage(tc.x); got != tc.want {
			t.Errorf("%s (swapped): SharesStorage = %v, want %v", tc.name, got, tc.want)
		}
	}
}
