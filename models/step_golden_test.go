package models

import (
	"compress/gzip"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/dataset"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/safetensors"
	"github.com/spikego/spikego/tensor"
)

// Full training steps of each reference model, checked against PyTorch.
//
// testdata/init_{mlp,cnn}.safetensors hold the initial state dicts of
// NewMLP(Config{Seed: 1}) and NewCNN(Config{Seed: 1}). They are written by
//
//	go test ./models -run TestStepGolden -update
//
// after which the PyTorch side must be regenerated (from the repository
// root, with a python that has torch and numpy):
//
//	/usr/bin/python3 tools/golden/gen_model_golden.py
//
// which loads those initial weights into a PyTorch re-statement of the
// model (BrainCog's LIFNode with the quadratic_gate surrogate, BatchNorm2d
// applied separately at every time step in training mode), runs two
// training steps (each: forward over T steps, cross entropy of the mean
// output rates, BPTT backward, step of one torch.optim.Adam(lr=1e-3)) on
// the first stepBatch images of the embedded sample's training split, and
// writes testdata/step_golden_{mlp,cnn}.safetensors.gz: "labels", "out"
// (rates [B,10]), "loss", "spikes.<i>" (spikes of the LIF layer <i> per
// step and channel, [T,C]), "grad.<param>", "after.<param>" and, for the
// cnn, "after.<buffer>" (running statistics and num_batches_tracked after
// the step); the second step's values are prefixed "step2." (no buffers).
// To keep the mlp's file small, its 0.weight (784×800) is stored
// differently: "gradout.0" is the gradient of fc1's output summed over the
// T steps, G [B,800], from which the expected gradient G^T x is computed
// here in float64 (the generator checks that this reproduces torch's
// grad.0.weight to 1e-6 of its largest element), and "step.0.weight" is
// after - init as float16 (|after - init| <= lr, so float16 holds it to
// 5e-7, well inside afterTol), for the first step only.

var update = flag.Bool("update", false, "rewrite testdata/init_{mlp,cnn}.safetensors from New{MLP,CNN}(Config{Seed: 1}); then rerun tools/golden/gen_model_golden.py")

const (
	stepSeed  = 1
	stepBatch = 16
)

// Tolerances of the step comparison, and why. The forward pass must
// agree exactly where it is discrete: output rates (k/T) and the spike
// counts of every layer per time step and channel are compared with ==.
// (Float32 rounding differences could flip a spike only if a membrane
// potential lay within a few ulps of the threshold; the closest of all in
// these two steps is 1.25e-6 = 20 ulps away from it, in the cnn's lif1.)
const (
	// The loss is a float64 log-sum-exp (torch: float32 log_softmax) of
	// identical rates; only the final roundings differ (seen: 1e-7).
	lossTol = 1e-6
	// Gradients are the same sums of products in different orders: Go
	// computes the first layer once and sums its output gradient over
	// the T steps before one GEMM, torch runs T GEMMs and accumulates
	// them; GEMM, convolution and BatchNorm reductions are blocked
	// differently. A float32 sum of n terms is off by at most about
	// n·2^-24 of the sum of their magnitudes (n up to 16·4·28·28 = 50176
	// for conv1's weight), in practice about sqrt(n)·2^-24; relative to
	// the tensor's largest gradient it was at most 2.2e-6 after the
	// first step and 8.9e-6 after the second (which starts from
	// parameters that already differ by rounding). 1e-4 leaves a margin
	// of 10; a semantic difference (a spike, a surrogate window, a
	// max-pool tie routed elsewhere) moves gradients by far more.
	gradTol = 1e-4
	// Adam's first steps move a parameter by about lr·g/(|g|+eps): ±1e-3
	// whatever the rounding of g, except where |g| is near eps = 1e-8,
	// where the step's sensitivity to g is up to lr/eps = 1e5. Seen:
	// 4.3e-6 for an element of the mlp's fc1 weight whose gradient is
	// 1.2e-9 (5.7e-11 apart in Go and torch), 3e-8 elsewhere.
	afterTol = 1e-5
	// The running statistics are momentum-weighted sums of the T batch
	// means and unbiased variances of BatchNorm's input (seen: 1.8e-7
	// absolute, max value 0.69).
	statTol = 1e-5
)

func initPath(name string) string { return filepath.Join("testdata", "init_"+name+".safetensors") }

func goldenPath(name string) string {
	return filepath.Join("testdata", "step_golden_"+name+".safetensors.gz")
}

func newSeeded(t *testing.T, name string) Model {
	t.Helper()
	m, err := New(name, Config{Seed: stepSeed})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// writeInit writes the state dict of a freshly built model.
func writeInit(t *testing.T, name string) {
	t.Helper()
	var ts []safetensors.Tensor
	for _, e := range nn.StateDict(newSeeded(t, name)) {
		ts = append(ts, safetensors.Tensor{Name: e.Name, Shape: e.Tensor.Shape(), Data: slices.Clone(e.Tensor.Data())})
	}
	meta := map[string]string{"model": name, "seed": fmt.Sprint(stepSeed), "written_by": "go test ./models -run TestStepGolden -update"}
	if err := os.MkdirAll("testdata", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := safetensors.WriteFile(initPath(name), ts, meta); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s; now run /usr/bin/python3 tools/golden/gen_model_golden.py", initPath(name))
}

func readSafetensors(t *testing.T, path string) map[string]safetensors.Tensor {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var st *safetensors.File
	if filepath.Ext(path) == ".gz" {
		zr, err := gzip.NewReader(f)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		st, err = safetensors.Read(zr)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	} else if st, err = safetensors.Read(f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return st.Map()
}

func toTensor(t *testing.T, s safetensors.Tensor) *tensor.Tensor {
	t.Helper()
	shape := s.Shape
	if len(shape) == 0 {
		shape = []int{} // scalar
	}
	x, err := tensor.FromSlice(slices.Clone(s.Data), shape...)
	if err != nil {
		t.Fatalf("%s: %v", s.Name, err)
	}
	return x
}

// loadInit builds a model and loads its initial state from testdata.
func loadInit(t *testing.T, name string) Model {
	t.Helper()
	m := newSeeded(t, name)
	sd := map[string]*tensor.Tensor{}
	for k, v := range readSafetensors(t, initPath(name)) {
		sd[k] = toTensor(t, v)
	}
	// The files predate the nodes' fixed entries (BrainCog's threshold and
	// act_fun.alpha), which hold BrainCog's defaults: add them.
	for _, e := range nn.StateDict(m) {
		if _, ok := sd[e.Name]; !ok && isNodeConstant(e.Name) {
			sd[e.Name] = e.Tensor.Clone()
		}
	}
	if err := nn.LoadStateDict(m, sd); err != nil {
		t.Fatal(err)
	}
	return m
}

// isNodeConstant reports whether a state_dict name is a node's fixed
// threshold or surrogate alpha.
func isNodeConstant(name string) bool {
	return strings.HasSuffix(name, ".threshold") || strings.HasSuffix(name, ".act_fun.alpha")
}

// stepBatchData returns the first stepBatch training images of the
// embedded sample, as [B, 784] pixels/255, with their labels.
func stepBatchData(t *testing.T) ([]float32, []int) {
	t.Helper()
	set, err := dataset.Sample(dataset.Train)
	if err != nil {
		t.Fatal(err)
	}
	idx := make([]int, stepBatch)
	for i := range idx {
		idx[i] = i
	}
	x := make([]float32, stepBatch*set.ImageSize())
	y := make([]int, stepBatch)
	set.Batch(idx, x, y)
	return x, y
}

// maxAbsDiff returns max |got-want| and max |want|; +Inf if the lengths
// differ.
func maxAbsDiff(got, want []float32) (diff, scale float64) {
	if len(got) != len(want) {
		return math.Inf(1), 0
	}
	for i, w := range want {
		diff = math.Max(diff, math.Abs(float64(got[i])-float64(w)))
		scale = math.Max(scale, math.Abs(float64(w)))
	}
	return diff, scale
}

func TestStepGolden(t *testing.T) {
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			if *update {
				writeInit(t, name)
			}
			testStep(t, name)
		})
	}
}

// TestStepGoldenInitIsSeed1 checks that the stored initial weights are
// still what New(name, Config{Seed: 1}) builds, so that the golden files
// describe the models as they are constructed today.
func TestStepGoldenInitIsSeed1(t *testing.T) {
	for _, name := range Names() {
		m := newSeeded(t, name)
		stored := readSafetensors(t, initPath(name))
		for _, e := range nn.StateDict(m) {
			s, ok := stored[e.Name]
			if !ok && isNodeConstant(e.Name) {
				// Not in the files: BrainCog's LIFNode defaults.
				want := float32(0.5)
				if strings.HasSuffix(e.Name, "alpha") {
					want = 2
				}
				if e.Tensor.Len() != 1 || e.Tensor.Item() != want {
					t.Errorf("%s: %s = %v, want BrainCog's default %v", name, e.Name, e.Tensor.Data(), want)
				}
				continue
			}
			if !ok {
				t.Errorf("%s: %s missing from %s", name, e.Name, initPath(name))
				continue
			}
			if !slices.Equal(s.Data, e.Tensor.Data()) {
				t.Errorf("%s: %s of New(Config{Seed: %d}) differs from %s: the initialisation changed; rerun go test ./models -run TestStepGolden -update and tools/golden/gen_model_golden.py",
					name, e.Name, stepSeed, initPath(name))
			}
		}
	}
}

// runStep runs one training step of m on x [B, ...] with labels: forward,
// cross entropy, backward, opt.Step. It returns the gradients by
// parameter name, the output rates and the loss; the parameters and
// buffers of m are updated.
func runStep(t *testing.T, m Model, opt *optim.Adam, x []float32, labels []int) (grads map[string][]float32, out []float32, loss float32) {
	t.Helper()
	opt.ZeroGrad()
	xt, err := tensor.FromSlice(x, append([]int{len(labels)}, m.InputShape()...)...)
	if err != nil {
		t.Fatal(err)
	}
	o, err := m.Forward(autograd.NewVar(xt, false))
	if err != nil {
		t.Fatal(err)
	}
	o = Rates(o)
	l, err := nn.CrossEntropy(o, labels)
	if err != nil {
		t.Fatal(err)
	}
	if err := autograd.Backward(l, nil); err != nil {
		t.Fatal(err)
	}
	// Keep the gradients: Step updates the parameters in place.
	grads = map[string][]float32{}
	for _, p := range m.Params() {
		if p.Var.Grad() == nil {
			t.Fatalf("%s has no gradient", p.Name)
		}
		grads[p.Name] = slices.Clone(p.Var.Grad().Data())
	}
	if err := opt.Step(); err != nil {
		t.Fatal(err)
	}
	return grads, o.Value().Data(), l.Value().Item()
}

func testStep(t *testing.T, name string) {
	golden := readSafetensors(t, goldenPath(name))
	m := loadInit(t, name)
	m.SetTraining(true)
	init := map[string][]float32{}
	for _, p := range m.Params() {
		init[p.Name] = slices.Clone(p.Var.Value().Data())
	}
	xd, labels := stepBatchData(t)
	want, ok := golden["labels"]
	if !ok || len(want.Data) != len(labels) {
		t.Fatalf("%s: no labels for %d images", goldenPath(name), len(labels))
	}
	for i, l := range want.Data {
		if int(l) != labels[i] {
			t.Fatalf("label %d = %d, golden batch has %v: not the same batch", i, labels[i], l)
		}
	}
	opt, err := optim.NewAdam(nn.ParamVars(m), optim.DefaultAdam())
	if err != nil {
		t.Fatal(err)
	}
	for step := 1; step <= 2; step++ {
		prefix := ""
		if step > 1 {
			prefix = fmt.Sprintf("step%d.", step)
		}
		grads, out, loss := runStep(t, m, opt, xd, labels)
		c := &stepCheck{t: t, name: name, step: step, prefix: prefix, golden: golden, m: m, init: init, x: xd}
		c.outputs(out, loss)
		c.spikes()
		c.grads(grads)
		c.params(float64(opt.LR()))
		if step == 1 {
			c.buffers()
		}
	}
}

// stepCheck compares the state of a model after a training step with the
// golden values of that step.
type stepCheck struct {
	t      *testing.T
	name   string
	step   int
	prefix string
	golden map[string]safetensors.Tensor
	m      Model
	init   map[string][]float32 // the parameters before the first step
	x      []float32
}

func (c *stepCheck) has(key string) bool {
	_, ok := c.golden[c.prefix+key]
	return ok
}

func (c *stepCheck) get(key string) []float32 {
	c.t.Helper()
	g, ok := c.golden[c.prefix+key]
	if !ok {
		c.t.Fatalf("%s lacks %q", goldenPath(c.name), c.prefix+key)
	}
	return g.Data
}

func (c *stepCheck) logf(format string, args ...any) {
	c.t.Helper()
	c.t.Logf("step %d: "+format, append([]any{c.step}, args...)...)
}

func (c *stepCheck) errorf(format string, args ...any) {
	c.t.Helper()
	c.t.Errorf("step %d: "+format, append([]any{c.step}, args...)...)
}

// outputs compares the output rates, exactly (they are k/T), and the loss.
func (c *stepCheck) outputs(out []float32, loss float32) {
	c.t.Helper()
	want := c.get("out")
	if len(out) != len(want) {
		c.t.Fatalf("out has %d elements, golden %d", len(out), len(want))
	}
	n := 0
	for i := range want {
		if out[i] != want[i] {
			if n++; n <= 10 {
				c.errorf("out[%d,%d] = %v, torch %v", i/10, i%10, out[i], want[i])
			}
		}
	}
	if n > 0 {
		c.errorf("%d of %d output rates differ", n, len(want))
	}
	var sum float64
	for _, v := range out {
		sum += float64(v)
	}
	wl := c.get("loss")[0]
	rel := math.Abs(float64(loss)-float64(wl)) / math.Abs(float64(wl))
	if rel > lossTol {
		c.errorf("loss = %v, torch %v (rel err %.3g > %g)", loss, wl, rel, lossTol)
	}
	c.logf("out: %d/%d rates differ (sum of rates %g); loss %v, torch %v, rel err %.3g", n, len(want), sum, loss, wl, rel)
}

// spikes compares the spikes of every LIF layer, summed over the batch
// and the pixels, per step and channel, exactly.
func (c *stepCheck) spikes() {
	c.t.Helper()
	spikes := c.m.Spikes()
	for li, idx := range lifIndices[c.name] {
		key := fmt.Sprintf("spikes.%d", idx)
		want := c.golden[c.prefix+key]
		if want.Data == nil {
			c.t.Fatalf("golden lacks %q", c.prefix+key)
		}
		// The spikes are [T,B,C] or [T·B,C,H,W], in that memory order.
		s := spikes[li]
		T, B := c.m.Steps(), stepBatch
		if len(want.Shape) != 2 || want.Shape[0] != T {
			c.t.Fatalf("%s has shape %v, want [%d, channels]", key, want.Shape, T)
		}
		C := want.Shape[1]
		pix := s.Len() / (T * B * C)
		if T*B*C*pix != s.Len() {
			c.t.Fatalf("%s: spikes of shape %v for golden shape %v", key, s.Shape(), want.Shape)
		}
		got := make([]float32, T*C)
		for i, v := range s.Data() {
			got[(i/(B*C*pix))*C+(i/pix)%C] += v
		}
		n := 0
		var total float32
		for i := range got {
			total += got[i]
			if got[i] != want.Data[i] {
				if n++; n <= 5 {
					c.errorf("%s (%s): time step %d channel %d: %v spikes, torch %v", key, c.m.Layers()[li], i/C, i%C, got[i], want.Data[i])
				}
			}
		}
		if n > 0 {
			c.errorf("%s: %d of %d (time step, channel) spike counts differ", key, n, len(got))
		} else {
			c.logf("%-9s spike counts identical per time step and channel (%v spikes)", key, total)
		}
	}
}

// grads compares the gradients.
func (c *stepCheck) grads(grads map[string][]float32) {
	c.t.Helper()
	want := map[string][]float32{}
	for _, p := range c.m.Params() {
		if !c.has("grad."+p.Name) && p.Name == "0.weight" {
			want[p.Name] = gradFromOut(c.t, c.get("gradout.0"), c.x, p.Var.Value().Dim(0))
		} else {
			want[p.Name] = c.get("grad." + p.Name)
		}
	}
	for _, p := range c.m.Params() {
		g, w := grads[p.Name], want[p.Name]
		if len(g) != len(w) {
			c.t.Fatalf("grad %s has %d elements, golden %d", p.Name, len(g), len(w))
		}
		if weight, ok := cancelledByBN[c.name][p.Name]; ok {
			// Exactly 0 in exact arithmetic: both must be rounding
			// noise, small next to the layer's weight gradient.
			_, sg := maxAbsDiff(g, g)
			_, sw := maxAbsDiff(w, w)
			_, scale := maxAbsDiff(want[weight], want[weight])
			if max(sg, sw) > gradTol*scale {
				c.errorf("grad %s should be rounding noise (BatchNorm cancels the bias): max |grad| %.3g, torch %.3g, max |grad %s| %.3g",
					p.Name, sg, sw, weight, scale)
			} else {
				c.logf("grad %-9s is rounding noise, as it should be: max |grad| %.3g, torch %.3g (%.2g and %.2g of max |grad %s|)",
					p.Name, sg, sw, sg/scale, sw/scale, weight)
			}
			continue
		}
		d, s := maxAbsDiff(g, w)
		if d > gradTol*s {
			c.errorf("grad %s: max |diff| %.3g, max |grad| %.3g (rel %.3g > %g)", p.Name, d, s, d/s, gradTol)
		} else {
			c.logf("grad %-9s max |diff| %.3g, max |grad| %.3g, rel %.3g", p.Name, d, s, d/s)
		}
	}
}

// params compares the parameters after the step.
func (c *stepCheck) params(lr float64) {
	c.t.Helper()
	for _, p := range c.m.Params() {
		a := p.Var.Value().Data()
		if _, ok := cancelledByBN[c.name][p.Name]; ok {
			// Adam turns the noise g into steps of about ±lr (at
			// most 1.0014·lr at t <= 2) whose signs are those of the
			// noise: only their size is determined.
			var moved float64
			for i, v := range c.init[p.Name] {
				moved = math.Max(moved, math.Abs(float64(a[i])-float64(v)))
			}
			d, _ := maxAbsDiff(a, c.get("after."+p.Name))
			if limit := float64(c.step) * 1.0014 * lr; moved > limit {
				c.errorf("after %s: moved from init by up to %.3g, more than %g", p.Name, moved, limit)
			} else {
				c.logf("after %-9s moved from init by up to %.3g (<= %d·lr), max |diff| to torch %.3g (steps of the noise's sign)", p.Name, moved, c.step, d)
			}
			continue
		}
		var w []float32
		switch {
		case c.has("after." + p.Name):
			w = c.get("after." + p.Name)
		case c.has("step." + p.Name):
			// Stored as after - init: compare the changes.
			w = c.get("step." + p.Name)
			a = slices.Clone(a)
			for i, v := range c.init[p.Name] {
				a[i] = float32(float64(a[i]) - float64(v))
			}
		default:
			c.logf("after %-9s not recorded", p.Name)
			continue
		}
		d, _ := maxAbsDiff(a, w)
		if d > afterTol {
			c.errorf("after %s: max |diff| %.3g > %g", p.Name, d, afterTol)
		} else {
			c.logf("after %-9s max |diff| %.3g", p.Name, d)
		}
	}
}

// buffers compares the BatchNorm buffers after the step (the nodes' fixed
// thresholds and alphas, which a step leaves alone, are not in the
// golden files).
func (c *stepCheck) buffers() {
	c.t.Helper()
	for _, b := range c.m.Buffers() {
		if isNodeConstant(b.Name) {
			continue
		}
		a, w := b.Tensor.Data(), c.get("after."+b.Name)
		d, s := maxAbsDiff(a, w)
		if d > statTol*math.Max(s, 1) {
			c.errorf("after %s: max |diff| %.3g (max |value| %.3g) > %g", b.Name, d, s, statTol)
		} else {
			c.logf("after %-22s max |diff| %.3g, max |value| %.3g", b.Name, d, s)
		}
	}
}

// cancelledByBN maps the biases of the convolutions that feed a
// BatchNorm in training mode to their layer's weight. BatchNorm subtracts
// each channel's batch mean (at every step), so the output does not
// depend on such a bias at all: its gradient is exactly 0 in exact
// arithmetic (torch in float64 gives ~1e-15), and what float32 computes,
// in torch as here, is rounding noise of the sum over the T·B·H·W
// gradients of the convolution's output, whose terms cancel.
var cancelledByBN = map[string]map[string]string{"cnn": {"0.bias": "0.weight", "4.bias": "4.weight"}}

// lifIndices are the Sequential indices of the LIF layers, in the order of
// Model.Spikes.
var lifIndices = map[string][]int{"mlp": {1, 3}, "cnn": {2, 6, 10}}

// gradFromOut returns the gradient of a Linear layer's weight [out, in]
// from the gradient of its output summed over the steps, g [B, out], and
// its input x [B, in]: g^T x, accumulated in float64.
func gradFromOut(t *testing.T, g, x []float32, out int) []float32 {
	t.Helper()
	b := len(g) / out
	in := len(x) / b
	if b*out != len(g) || b*in != len(x) {
		t.Fatalf("gradout has %d elements, input %d, for %d outputs", len(g), len(x), out)
	}
	w := make([]float32, out*in)
	acc := make([]float64, in)
	for j := 0; j < out; j++ {
		clear(acc)
		for k := 0; k < b; k++ {
			gk := float64(g[k*out+j])
			for i, v := range x[k*in : (k+1)*in] {
				acc[i] += gk * float64(v)
			}
		}
		for i, v := range acc {
			w[j*in+i] = float32(v)
		}
	}
	return w
}
