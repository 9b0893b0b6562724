package optim_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/internal/golden"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/tensor"
)

// clipGolden is optim/testdata/clip_golden.json, written by
// tools/golden/gen_loss_golden.py from torch.nn.utils.clip_grad_norm_ and
// clip_grad_value_.
type clipGolden struct {
	ClipGradNorm []struct {
		clipCase
		MaxNorm   golden.F32 `json:"max_norm"`
		NormType  any        `json:"norm_type"` // a number or "inf"
		TotalNorm golden.F32 `json:"total_norm"`
		Nonfinite bool
	} `json:"clip_grad_norm"`
	ClipGradValue []struct {
		clipCase
		ClipValue golden.F32 `json:"clip_value"`
	} `json:"clip_grad_value"`
}

// clipCase describes a case's gradients (rebuilt by hashGrad) and the
// sample of the clipped gradients PyTorch returned.
type clipCase struct {
	Name     string
	Sizes    []*int // nil: a parameter without gradient
	Seed     uint32
	ScaleExp int             `json:"scale_exp"`
	Specials [][]any         // [param, index, hex value] set after hashGrad
	Clipped  []golden.Floats // every stride(n)-th element; nil without gradient
}

// hash32 is the generator's integer hash.
func hash32(i, seed uint32) uint32 {
	h := i*0x9E3779B1 + seed*0x85EBCA77 + 0x165667B1
	h ^= h >> 15
	h *= 0x2C1B3C6D
	h ^= h >> 12
	h *= 0x297A2D39
	h ^= h >> 15
	return h
}

// hashGrad is the generator's hash_grad: (1.m - 1.5) * 2^scaleExp, exact.
func hashGrad(n int, seed uint32, scaleExp int) []float32 {
	out := make([]float32, n)
	scale := float32(math.Ldexp(1, scaleExp))
	for i := range out {
		v := math.Float32frombits(0x3F800000|hash32(uint32(i), seed)>>9) - 1.5
		out[i] = v * scale
	}
	return out
}

func stride(n int) int { return max(1, n/64) }

// params builds the case's parameters with their gradients.
func (c clipCase) params(t *testing.T) []*autograd.Var {
	t.Helper()
	ps := make([]*autograd.Var, len(c.Sizes))
	for i, n := range c.Sizes {
		if n == nil {
			ps[i] = autograd.NewVar(tensor.New(1), true)
			continue
		}
		g := hashGrad(*n, c.Seed+1000*uint32(i), c.ScaleExp)
		for _, s := range c.Specials {
			if int(s[0].(float64)) == i {
				var f golden.F32
				if err := f.UnmarshalJSON([]byte(fmt.Sprintf("%q", s[2]))); err != nil {
					t.Fatal(err)
				}
				g[int(s[1].(float64))] = float32(f)
			}
		}
		gt, err := tensor.FromSlice(g, *n)
		if err != nil {
			t.Fatal(err)
		}
		ps[i] = autograd.NewVar(tensor.New(*n), true)
		ps[i].SetGrad(gt)
	}
	return ps
}

// check compares the clipped gradients with PyTorch's, bit for bit (NaN
// with NaN; the sign of zero is not compared).
func (c clipCase) check(t *testing.T, ps []*autograd.Var) {
	t.Helper()
	for i, p := range ps {
		if c.Sizes[i] == nil {
			if p.Grad() != nil {
				t.Errorf("param %d got a gradient", i)
			}
			continue
		}
		d := p.Grad().Data()
		var got []float32
		for j := 0; j < len(d); j += stride(len(d)) {
			got = append(got, d[j])
		}
		if msg := golden.Compare(got, c.Clipped[i].Slice(), 0, 0); msg != "" {
			t.Errorf("param %d: %s", i, msg)
		}
	}
}

func loadClipGolden(t *testing.T) clipGolden {
	t.Helper()
	var g clipGolden
	if err := golden.Load("testdata/clip_golden.json", &g); err != nil {
		t.Fatal(err)
	}
	if len(g.ClipGradNorm) == 0 || len(g.ClipGradValue) == 0 {
		t.Fatal("no golden cases")
	}
	return g
}

// TestClipGradNormGolden compares the total norm and the clipped
// gradients with torch.nn.utils.clip_grad_norm_, bit for bit.
func TestClipGradNormGolden(t *testing.T) {
	for _, c := range loadClipGolden(t).ClipGradNorm {
		t.Run(c.Name, func(t *testing.T) {
			p := math.Inf(1)
			if f, ok := c.NormType.(float64); ok {
				p = f
			}
			ps := c.params(t)
			before := make([][]float32, len(ps))
			for i, v := range ps {
				if v.Grad() != nil {
					before[i] = append([]float32(nil), v.Grad().Data()...)
				}
			}
			total, err := optim.ClipGradNorm(ps, float32(c.MaxNorm), p)
			// Bit for bit; a NaN matches any NaN (PyTorch's max returns the
			// all-ones NaN of its vector kernel's NaN mask).
			if want := float32(c.TotalNorm); math.Float32bits(total) != math.Float32bits(want) && !(total != total && want != want) {
				t.Errorf("total norm %v (%#08x), PyTorch %v (%#08x)", total, math.Float32bits(total), float32(c.TotalNorm), math.Float32bits(float32(c.TotalNorm)))
			}
			if c.Nonfinite {
				if err == nil || !strings.Contains(err.Error(), "gradients left unchanged") {
					t.Errorf("error %v, want one for the non-finite norm", err)
				}
				for i, v := range ps {
					if before[i] != nil {
						if msg := golden.Compare(v.Grad().Data(), before[i], 0, 0); msg != "" {
							t.Errorf("param %d changed: %s", i, msg)
						}
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			c.check(t, ps)
		})
	}
}

// TestClipGradValueGolden compares with torch.nn.utils.clip_grad_value_.
func TestClipGradValueGolden(t *testing.T) {
	for _, c := range loadClipGolden(t).ClipGradValue {
		t.Run(c.Name, func(t *testing.T) {
			ps := c.params(t)
			if err := optim.ClipGradValue(ps, float32(c.ClipValue)); err != nil {
				t.Fatal(err)
			}
			c.check(t, ps)
		})
	}
}

// TestClipGradNormHand checks small cases worked by hand.
func TestClipGradNormHand(t *testing.T) {
	grad := func(vals ...float32) *autograd.Var {
		v := autograd.NewVar(tensor.New(len(vals)), true)
		g, _ := tensor.FromSlice(vals, len(vals))
		v.SetGrad(g)
		return v
	}
	// Gradients (3, 4) and (12): 2-norm 13; max norm 6.5 halves them
	// (up to the 1e-6 PyTorch adds to the norm).
	a, b := grad(3, 4), grad(12)
	total, err := optim.ClipGradNorm([]*autograd.Var{a, autograd.NewVar(tensor.New(2), true), b}, 6.5, 2)
	if err != nil || total != 13 {
		t.Fatalf("total %v, %v; want 13", total, err)
	}
	for i, want := range []float32{1.5, 2} {
		if got := a.Grad().Data()[i]; math.Abs(float64(got-want)) > 1e-6 {
			t.Errorf("a[%d] = %v, want %v", i, got, want)
		}
	}
	// Inf-norm 4 and 1-norm 7 of (3, -4); a max norm above leaves them.
	for _, c := range []struct {
		p    float64
		want float32
	}{{math.Inf(1), 4}, {1, 7}, {3, float32(math.Cbrt(27 + 64))}} {
		g := grad(3, -4)
		total, err := optim.ClipGradNorm([]*autograd.Var{g}, 100, c.p)
		if err != nil || math.Abs(float64(total-c.want)) > 1e-6*float64(c.want) {
			t.Errorf("p=%v: total %v, %v; want %v", c.p, total, err, c.want)
		}
		if g.Grad().Data()[0] != 3 || g.Grad().Data()[1] != -4 {
			t.Errorf("p=%v: gradient changed below the max norm: %v", c.p, g.Grad().Data())
		}
	}
	// No gradient at all: norm 0, no error.
	if total, err := optim.ClipGradNorm([]*autograd.Var{autograd.NewVar(tensor.New(2), true)}, 1, 2); total != 0 || err != nil {
		t.Errorf("no gradients: %v, %v", total, err)
	}
}

func TestClipErrors(t *testing.T) {
	g := autograd.NewVar(tensor.New(2), true)
	g.SetGrad(tensor.Full(1, 2))
	ps := []*autograd.Var{g}
	for _, c := range []struct {
		name string
		err  error
		want string
	}{
		{"negative max", second(optim.ClipGradNorm(ps, -1, 2)), "max norm -1 must be >= 0"},
		{"NaN max", second(optim.ClipGradNorm(ps, float32(math.NaN()), 2)), "max norm NaN"},
		{"zero p", second(optim.ClipGradNorm(ps, 1, 0)), "norm type 0 must be > 0"},
		{"-inf p", second(optim.ClipGradNorm(ps, 1, math.Inf(-1))), "norm type -Inf"},
		{"NaN p", second(optim.ClipGradNorm(ps, 1, math.NaN())), "norm type NaN"},
		{"nil param", second(optim.ClipGradNorm([]*autograd.Var{g, nil}, 1, 2)), "params[1] is nil"},
		{"negative clip", optim.ClipGradValue(ps, -0.5), "clip value -0.5 must be >= 0"},
		{"nil clip param", optim.ClipGradValue([]*autograd.Var{nil}, 1), "clip grad value: params[0] is nil"},
	} {
		if c.err == nil || !strings.Contains(c.err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, c.err, c.want)
		}
	}
	if d := g.Grad().Data(); d[0] != 1 || d[1] != 1 {
		t.Errorf("a failed call changed the gradient: %v", d)
	}
}

func BenchmarkClipGradNorm(b *testing.B) {
	// A gradient the size of the reference MLP's first layer and a bias.
	w := autograd.NewVar(tensor.New(784*256), true)
	bias := autograd.NewVar(tensor.New(256), true)
	gw, _ := tensor.FromSlice(hashGrad(784*256, 1, 0), 784*256)
	gb, _ := tensor.FromSlice(hashGrad(256, 2, 0), 256)
	w.SetGrad(gw)
	bias.SetGrad(gb)
	ps := []*autograd.Var{w, bias}
	b.SetBytes(4 * (784*256 + 256))
	for i := 0; i < b.N; i++ {
		if _, err := optim.ClipGradNorm(ps, 1e9, 2); err != nil { // never scales: measures the norm
			b.Fatal(err)
		}
	}
}
