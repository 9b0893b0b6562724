package nn

import (
	"slices"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/tensor"
)

// newMLP returns Linear(4,3) -> Dropout(0.5) -> Linear(3,2, no bias).
func newMLP(t *testing.T, seed uint64) *Sequential {
	t.Helper()
	rng := NewRand(seed)
	d, err := NewDropout(0.5, rng)
	if err != nil {
		t.Fatal(err)
	}
	return NewSequential(mustLinear(t, 4, 3, true, rng), d, mustLinear(t, 3, 2, false, rng))
}

func TestSequentialParams(t *testing.T) {
	m := newMLP(t, 1)
	var names []string
	for _, p := range m.Params() {
		names = append(names, p.Name)
	}
	if want := []string{"0.weight", "0.bias", "2.weight"}; !slices.Equal(names, want) {
		t.Errorf("param names %v, want %v", names, want)
	}
	l0, l2 := m.Modules[0].(*Linear), m.Modules[2].(*Linear)
	if vs := ParamVars(m); len(vs) != 3 || vs[0] != l0.Weight || vs[1] != l0.Bias || vs[2] != l2.Weight {
		t.Errorf("ParamVars do not match the layers' Vars")
	}
	if len(m.Buffers()) != 0 {
		t.Errorf("buffers %v, want none", m.Buffers())
	}
	sd := StateDict(m)
	if len(sd) != 3 || sd[2].Name != "2.weight" || sd[2].Tensor != l2.Weight.Value() {
		t.Errorf("StateDict = %v", sd)
	}
}

func TestSequentialForwardAndMode(t *testing.T) {
	m := newMLP(t, 2)
	d := m.Modules[1].(*Dropout)
	m.SetTraining(false)
	if d.Training() {
		t.Fatal("SetTraining(false) did not reach the Dropout")
	}
	x := randUniform(NewRand(9), -1, 1, 5, 4)
	y, err := m.Forward(autograd.Const(x))
	if err != nil {
		t.Fatal(err)
	}
	// In eval mode the chain is Linear then Linear.
	h, _ := m.Modules[0].Forward(autograd.Const(x))
	want, _ := m.Modules[2].Forward(h)
	if !slices.Equal(y.Value().Data(), want.Value().Data()) || !slices.Equal(y.Shape(), []int{5, 2}) {
		t.Errorf("Sequential output %v, want %v", y.Value(), want.Value())
	}
	m.SetTraining(true)
	if !d.Training() {
		t.Error("SetTraining(true) did not reach the Dropout")
	}
	// Errors name the failing module.
	_, err = m.Forward(autograd.Const(tensor.New(5, 3)))
	if err == nil || !strings.Contains(err.Error(), "sequential module 0") || !strings.Contains(err.Error(), "[5 3]") {
		t.Errorf("error %v", err)
	}
}

func TestSequentialGrad(t *testing.T) {
	m := newMLP(t, 3)
	m.SetTraining(false)
	l0, l2 := m.Modules[0].(*Linear), m.Modules[2].(*Linear)
	checkGrad(t, func(in []*autograd.Var) *autograd.Var {
		l0.Weight, l0.Bias, l2.Weight = in[1], in[2], in[3]
		y, err := m.Forward(in[0])
		if err != nil {
			panic(err)
		}
		return y
	}, randUniform(NewRand(4), -1, 1, 3, 4), l0.Weight.Value().Clone(), l0.Bias.Value().Clone(), l2.Weight.Value().Clone())
}

func stateMap(m Module) map[string]*tensor.Tensor {
	sd := map[string]*tensor.Tensor{}
	for _, e := range StateDict(m) {
		sd[e.Name] = e.Tensor.Clone()
	}
	return sd
}

func TestStateDictRoundTrip(t *testing.T) {
	a, b := newMLP(t, 10), newMLP(t, 11)
	a.SetTraining(false)
	b.SetTraining(false)
	x := autograd.Const(randUniform(NewRand(1), -1, 1, 3, 4))
	ya, _ := a.Forward(x)
	yb, _ := b.Forward(x)
	if slices.Equal(ya.Value().Data(), yb.Value().Data()) {
		t.Fatal("differently seeded models agree before loading")
	}
	if err := LoadStateDict(b, stateMap(a)); err != nil {
		t.Fatal(err)
	}
	yb, _ = b.Forward(x)
	if !slices.Equal(ya.Value().Data(), yb.Value().Data()) {
		t.Error("outputs differ after loading the state dict")
	}
	// The load copies: b's tensors stay its own.
	la, lb := a.Modules[0].(*Linear), b.Modules[0].(*Linear)
	if la.Weight.Value() == lb.Weight.Value() {
		t.Error("LoadStateDict shared a tensor instead of copying")
	}
}

func TestLoadStateDictErrors(t *testing.T) {
	m := newMLP(t, 1)
	before := stateMap(m)

	missing := stateMap(m)
	delete(missing, "0.bias")
	renamed := stateMap(m)
	renamed["0.b"] = renamed["0.bias"]
	delete(renamed, "0.bias")
	extra := stateMap(m)
	extra["3.weight"] = tensor.New(1)
	wrongShape := stateMap(m)
	wrongShape["2.weight"] = tensor.New(3, 2) // transposed: same size, wrong shape

	for _, tc := range []struct {
		name string
		sd   map[string]*tensor.Tensor
		want []string
	}{
		{"missing key", missing, []string{`"0.bias"`}},
		{"renamed key", renamed, []string{`"0.bias"`}},
		{"extra key", extra, []string{"4 entries"}},
		{"wrong shape", wrongShape, []string{`"2.weight"`, "[3 2]", "[2 3]"}},
	} {
		err := LoadStateDict(m, tc.sd)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		for _, s := range tc.want {
			if !strings.Contains(err.Error(), s) {
				t.Errorf("%s: error %q lacks %q", tc.name, err, s)
			}
		}
	}
	// The maps above hold m's own values (LoadStateDict may copy entries
	// before it finds a bad one), so m must be unchanged.
	for name, v := range stateMap(m) {
		if !slices.Equal(v.Data(), before[name].Data()) {
			t.Errorf("%s changed by a failed load", name)
		}
	}
}
