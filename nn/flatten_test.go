package nn

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

func TestFlatten(t *testing.T) {
	x := randUniform(NewRand(1), -1, 1, 2, 3, 4, 5)
	for _, tc := range []struct {
		f    *Flatten
		want []int
	}{
		{NewFlatten(), []int{2, 60}},
		{&Flatten{StartDim: 1, EndDim: 2}, []int{2, 12, 5}},
		{&Flatten{StartDim: 0, EndDim: -1}, []int{120}},
		{&Flatten{StartDim: -2, EndDim: -1}, []int{2, 3, 20}},
		{&Flatten{StartDim: 2, EndDim: 2}, []int{2, 3, 4, 5}},
	} {
		y, err := tc.f.Forward(autograd.Const(x))
		if err != nil {
			t.Errorf("%v: %v", tc.f, err)
			continue
		}
		if !slices.Equal(y.Shape(), tc.want) {
			t.Errorf("%v: shape %v, want %v", tc.f, y.Shape(), tc.want)
		}
		if !slices.Equal(y.Value().Data(), x.Data()) {
			t.Errorf("%v: data changed", tc.f)
		}
	}
	if got := NewFlatten().String(); got != "Flatten(start_dim=1, end_dim=-1)" {
		t.Errorf("String = %q", got)
	}
	y, err := NewFlatten().Forward(autograd.Const(tensor.New(0, 3, 4)))
	if err != nil || !slices.Equal(y.Shape(), []int{0, 12}) {
		t.Errorf("empty batch: %v, %v", y, err)
	}
}

func TestFlattenGrad(t *testing.T) {
	checkGrad(t, func(in []*autograd.Var) *autograd.Var {
		y, err := NewFlatten().Forward(in[0])
		if err != nil {
			panic(err)
		}
		return y
	}, randUniform(NewRand(2), -1, 1, 2, 3, 2))
}

func TestFlattenErrors(t *testing.T) {
	for _, tc := range []struct {
		f *Flatten
		x *tensor.Tensor
	}{
		{NewFlatten(), tensor.New(5)},
		{NewFlatten(), tensor.Scalar(1)},
		{&Flatten{StartDim: 2, EndDim: 1}, tensor.New(2, 3, 4)},
		{&Flatten{StartDim: 0, EndDim: 3}, tensor.New(2, 3, 4)},
		{&Flatten{StartDim: -4, EndDim: -1}, tensor.New(2, 3, 4)},
	} {
		_, err := tc.f.Forward(autograd.Const(tc.x))
		if err == nil || !strings.Contains(err.Error(), tc.f.String()) || !strings.Contains(err.Error(), fmt.Sprint(tc.x.Shape())) {
			t.Errorf("%v on %v: error %v", tc.f, tc.x.Shape(), err)
		}
	}
	if _, err := NewFlatten().Forward(nil); err == nil {
		t.Error("nil input: no error")
	}
}
