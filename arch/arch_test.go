package arch

import (
	"errors"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/tensor"
)

var mnist = Options{T: 2, InputShape: []int{1, 28, 28}, Seed: 1}

// TestErrors lists every kind of mistake with the message and the column
// it must report.
func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want string
		col  int
	}{
		{"", "empty architecture", 1},
		{"   ", "empty architecture", 1},
		{"linear(10) lif,", "a layer is missing after the last separator", 16},
		{"linear(10) -> ", "a layer is missing after the last separator", 15},
		{"linear(10", "unclosed parenthesis", 7},
		{"linear(10,", "unclosed parenthesis", 7},
		{"linear(10;5)", `expected ',' or ')' in the arguments of linear, found ";"`, 10},
		{"linear(,)", `expected an argument, found ","`, 8},
		{"linear(out=)", "expected a value for out", 12},
		{"(10)", `expected a layer name, found "("`, 1},
		{"linear(10) lif ; linear(3)", `expected a layer name, found ";"`, 16},
		{"lineer(10)", `unknown layer "lineer" (did you mean "linear"?)`, 1},
		{"flatten resnet", `unknown layer "resnet"`, 9},
		{"flatten linear", "linear needs out (it takes out, bias=true)", 9},
		{"conv(32)", "conv needs kernel (it takes out, kernel, stride=1, pad=0, bias=true)", 1},
		{"flatten linear(10, true, 3)", "linear takes at most 2 arguments (out, bias=true), got 3", 26},
		{"flatten linear(out=10, 5)", "positional argument after a keyword argument", 24},
		{"flatten linear(10, out=10)", "out given twice", 20},
		{"flatten linear(10, bais=false)", `linear has no argument "bais" (did you mean "bias"?)`, 20},
		{"flatten linear(ten)", `out of linear must be an integer, got "ten"`, 16},
		{"flatten linear(0)", "out of linear must be between 1 and 1048576, got 0", 16},
		{"flatten linear(10, bias=yes)", `bias of linear must be true or false, got "yes"`, 20},
		{"conv(8,3) linear(10)", "linear needs a flat input, but the input here is [8 26 26]: add flatten before it", 11},
		{"flatten conv(8,3)", "conv needs a [C H W] input, but the input here is [784]", 9},
		{"conv(8,30)", "kernel 30 is larger than the padded 28x28 input", 1},
		{"conv(8,3,pad=-1)", "pad of conv must be between 0 and 1048576, got -1", 10},
		{"maxpool(29)", "pooling window 29 is larger than the 28x28 input", 1},
		{"avgpool(2,2,5)", "padding 5 must be between 0 and half the kernel size 2", 1},
		{"flatten bn(3)", "bn takes no arguments", 12},
		{"flatten dropout(1.5)", "dropout probability 1.5 is outside [0, 1)", 17},
		{"flatten dropout(nan)", `p of dropout must be a finite number, got "nan"`, 17},
		{"flatten linear(10) lif(3)", "lif takes keyword arguments only", 24},
		{"flatten linear(10) lif(tua=3)", `lif has no argument "tua" (did you mean "tau"?)`, 24},
		{"flatten linear(10) lif(surrogate=AtanGard)", `unknown surrogate function "AtanGard" (did you mean "AtanGrad"?`, 24},
		{"flatten linear(10) lif(tau=inf)", `tau of lif must be a finite number, got "inf"`, 24},
		{"flatten linear(10) plif(tau=0.5)", "PLIFNode needs tau > 1", 20},
		{"flatten linear(10) if(detach=maybe)", `detach of if must be true or false, got "maybe"`, 23},
		{"flatten linear(100000) linear(100000)", "the network would hold more than 134217728 weights", 24},
	} {
		_, err := BuildString(tc.spec, mnist)
		var ae *Error
		if !errors.As(err, &ae) {
			t.Errorf("%q: error %v, want an *arch.Error", tc.spec, err)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error\n%v\nwant it to contain %q", tc.spec, err, tc.want)
		}
		if col := len([]rune(ae.Text[:ae.Pos])) + 1; col != tc.col {
			t.Errorf("%q: column %d, want %d (%v)", tc.spec, col, tc.col, err)
		}
	}
}

func TestErrorShowsTheSpot(t *testing.T) {
	_, err := BuildString("conv(8,3) lineer(10)", mnist)
	want := "arch: unknown layer \"lineer\" (did you mean \"linear\"?), at column 11:\n\tconv(8,3) lineer(10)\n\t          ^"
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
}

// TestBuild builds a network of every kind of layer and checks its
// state_dict names and shapes, which follow torch.nn.Sequential. The
// shapes, by hand: 28x28 -> conv 5 pad 2 -> 28 -> avgpool 2 -> 14 -> conv 3
// stride 2 -> (14-3)/2+1 = 6 -> maxpool 3 stride 2 -> (6-3)/2+1 = 2, so
// flatten gives 6*2*2 = 24 features.
func TestBuild(t *testing.T) {
	net, err := BuildString("conv(4,5,pad=2,bias=false) -> bn, plif(tau=3) avgpool(2) conv2d(6, 3, stride=2) BatchNorm IFNode(threshold=0.3, detach=true) maxpool(3,stride=2) flatten dropout(0.25) linear(12) bn lif(surrogate=AtanGrad, learn_threshold=true) linear(10,bias=false) node(nonspiking=true)", mnist)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range nn.StateDict(net) {
		got = append(got, e.Name+fmtShape(e.Tensor.Shape()))
	}
	want := "0.weight[4 1 5 5] 1.weight[4] 1.bias[4] 2.act_fun.alpha[] 2.w[] 4.weight[6 4 3 3] 4.bias[6] 5.weight[6] 5.bias[6] 10.weight[12 24] 10.bias[12] 11.weight[12] 11.bias[12] 12.threshold[] 13.weight[10 12] " +
		"1.running_mean[4] 1.running_var[4] 1.num_batches_tracked[] 2.threshold[] 5.running_mean[6] 5.running_var[6] 5.num_batches_tracked[] 6.threshold[] 6.act_fun.alpha[] 11.running_mean[12] 11.running_var[12] 11.num_batches_tracked[] 12.act_fun.alpha[] 14.threshold[] 14.act_fun.alpha[]"
	if strings.Join(got, " ") != want {
		t.Errorf("state_dict\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
	out, err := net.Forward(autograd.Const(tensor.Full(0.5, 3, 1, 28, 28)))
	if err != nil {
		t.Fatal(err)
	}
	if s := out.Shape(); len(s) != 3 || s[0] != 2 || s[1] != 3 || s[2] != 10 {
		t.Errorf("output %v, want [2 3 10]", s)
	}
	if l := net.Layers(); strings.Join(l, " ") != "plif1 if2 lif3 lif4" {
		t.Errorf("layers %v", l)
	}
}

func fmtShape(s []int) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = strings.TrimSpace(strings.Repeat(" ", 0) + itoa(d))
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func itoa(d int) string {
	if d == 0 {
		return "0"
	}
	s := ""
	for ; d > 0; d /= 10 {
		s = string(rune('0'+d%10)) + s
	}
	return s
}

// TestFirstLinearFlattens checks that a network starting with a linear
// layer takes flat inputs, as the reference mlp.
func TestFirstLinearFlattens(t *testing.T) {
	net, err := BuildString("linear(20) lif linear(10) lif", mnist)
	if err != nil {
		t.Fatal(err)
	}
	if s := net.InputShape(); len(s) != 1 || s[0] != 784 {
		t.Errorf("input shape %v, want [784]", s)
	}
}

// TestSameSeedSameWeights builds a spec twice and once with another seed.
func TestSameSeedSameWeights(t *testing.T) {
	spec := "conv(4,3) bn lif flatten linear(10) lif"
	a, _ := BuildString(spec, mnist)
	b, _ := BuildString(spec, mnist)
	o := mnist
	o.Seed = 2
	c, _ := BuildString(spec, o)
	wa, wb, wc := a.Params()[0].Var.Value().Data(), b.Params()[0].Var.Value().Data(), c.Params()[0].Var.Value().Data()
	for i := range wa {
		if wa[i] != wb[i] {
			t.Fatal("same seed, other weights")
		}
	}
	same := true
	for i := range wa {
		same = same && wa[i] == wc[i]
	}
	if same {
		t.Error("another seed, same weights")
	}
}

func TestParseString(t *testing.T) {
	s, err := Parse(" conv( 8 ,3, pad = 1 ) -> bn,lif(tau=2)   flatten ")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.String(), "conv(8,3,pad=1) bn lif(tau=2) flatten"; got != want {
		t.Errorf("String %q, want %q", got, want)
	}
	again, err := Parse(s.String())
	if err != nil || again.String() != s.String() {
		t.Errorf("round trip: %v %v", again, err)
	}
}

// FuzzBuild feeds the parser and builder arbitrary specs: an error or a
// network, never a panic, and never more weights than the budget.
func FuzzBuild(f *testing.F) {
	for _, s := range []string{"linear(800) node linear(10) node", "conv(32,3,pad=1) bn node maxpool(2) conv(32,3,pad=1) bn node maxpool(2) flatten linear(10) node",
		"conv(4,5,pad=2,bias=false) -> bn, plif(tau=3) avgpool(2) flatten dropout(0.25) linear(12) lif(surrogate=AtanGrad)", "linear(", "lif(tau=)", "conv(1,1,stride=0)"} {
		f.Add(s)
	}
	o := Options{T: 1, InputShape: []int{1, 8, 8}, MaxParams: 1 << 14}
	f.Fuzz(func(t *testing.T, spec string) {
		net, err := BuildString(spec, o)
		if err != nil {
			return
		}
		n := 0
		for _, p := range net.Params() {
			n += p.Var.Value().Len()
		}
		if n > o.MaxParams {
			t.Fatalf("%q: %d weights, budget %d", spec, n, o.MaxParams)
		}
	})
}
