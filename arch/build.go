package arch

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/spikego/spikego/internal/suggest"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/node"
	"github.com/spikego/spikego/snn"
	"github.com/spikego/spikego/surrogate"
)

// Options are what Build needs besides the spec.
type Options struct {
	// T is the number of time steps (at least 1).
	T int
	// InputShape is the shape of one input sample, [C, H, W] for images
	// ([1, 28, 28] for Fashion-MNIST).
	InputShape []int
	// Seed seeds the weight initialisation (PyTorch's default
	// distributions) and dropout.
	Seed uint64
	// Node is the kind of the "node" layers, by BrainCog's name; ""
	// means LIFNode.
	Node string
	// NodeOptions apply to every node, before the node's own options.
	NodeOptions []node.Option
	// MaxParams bounds the number of weights (0: DefaultMaxParams), so
	// that a spec cannot allocate more than intended.
	MaxParams int
}

// DefaultMaxParams is the default bound of Options.MaxParams: 2^27
// weights, 512 MB of float32.
const DefaultMaxParams = 1 << 27

// MaxLayers bounds the number of layers of a spec, and MaxWidth the size of
// any layer dimension, so that a spec from a file or a checkpoint cannot
// ask for absurd amounts of memory before the memory check runs.
const (
	MaxLayers = 1000
	MaxWidth  = 1 << 20
)

// Build builds the network a spec describes, with weights initialised from
// o.Seed in the order of the layers.
func Build(s *Spec, o Options) (*snn.Net, error) {
	b := &builder{spec: s, o: o, rng: nn.NewRand(o.Seed)}
	return b.build()
}

// BuildString parses text and builds it.
func BuildString(text string, o Options) (*snn.Net, error) {
	s, err := Parse(text)
	if err != nil {
		return nil, err
	}
	return Build(s, o)
}

type builder struct {
	spec   *Spec
	o      Options
	rng    *nn.Rand
	params int // weights allocated so far
}

// reserve counts n more weights for the layer at pos, or fails when that
// passes the budget.
func (b *builder) reserve(pos, n int) error {
	limit := b.o.MaxParams
	if limit <= 0 {
		limit = DefaultMaxParams
	}
	if n > limit-b.params {
		return b.errorf(pos, "the network would hold more than %d weights", limit)
	}
	b.params += n
	return nil
}

func (b *builder) errorf(pos int, format string, args ...any) error {
	return &Error{Text: b.spec.Text, Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// param is one argument a layer takes.
type param struct {
	name string
	kind byte // 'i' int, 'f' float, 'b' bool, 's' string
	def  string
}

// layerDef describes a layer kind: its positional and keyword parameters
// (required ones first, with no default).
type layerDef struct {
	params  []param
	keyOnly bool // node options: no positional arguments
}

func intParam(name, def string) param { return param{name, 'i', def} }

// layerDefs are the layers of the grammar by lower-case name. Never
// modified.
var layerDefs = map[string]layerDef{
	"linear":  {params: []param{intParam("out", ""), {"bias", 'b', "true"}}},
	"conv":    {params: []param{intParam("out", ""), intParam("kernel", ""), intParam("stride", "1"), intParam("pad", "0"), {"bias", 'b', "true"}}},
	"bn":      {},
	"maxpool": {params: []param{intParam("kernel", ""), intParam("stride", "kernel")}},
	"avgpool": {params: []param{intParam("kernel", ""), intParam("stride", "kernel"), intParam("pad", "0")}},
	"flatten": {},
	"dropout": {params: []param{{"p", 'f', ""}}},
	"node": {keyOnly: true, params: []param{{"threshold", 'f', ""}, {"tau", 'f', ""}, {"dt", 'f', ""}, {"v_reset", 'f', ""},
		{"alpha", 'f', ""}, {"surrogate", 's', ""}, {"detach", 'b', ""}, {"learn_threshold", 'b', ""}, {"nonspiking", 'b', ""}}},
}

// aliases map other names to those of layerDefs; nodeKinds maps node
// names to BrainCog's kinds ("" for the default kind). Never modified.
var (
	aliases   = map[string]string{"conv2d": "conv", "batchnorm": "bn", "maxpool2d": "maxpool", "avgpool2d": "avgpool"}
	nodeKinds = map[string]string{"node": "", "lif": "LIFNode", "lifnode": "LIFNode", "if": "IFNode", "ifnode": "IFNode",
		"plif": "PLIFNode", "plifnode": "PLIFNode", "lifstdp": "LIFSTDPNode", "lifstdpnode": "LIFSTDPNode"}
)

// Names returns every layer name the grammar accepts, sorted.
func Names() []string {
	var out []string
	for n := range layerDefs {
		if n != "node" {
			out = append(out, n)
		}
	}
	for n := range aliases {
		out = append(out, n)
	}
	for n := range nodeKinds {
		out = append(out, n)
	}
	out = append(out, "LIFNode", "IFNode", "PLIFNode", "LIFSTDPNode")
	slices.Sort(out)
	return slices.Compact(out)
}

// args binds a layer's arguments to its parameters.
func (b *builder) args(l Layer, def layerDef) (map[string]string, error) {
	vals := map[string]string{}
	seenKey := false
	for i, a := range l.Args {
		name := strings.ToLower(a.Key)
		if a.Key == "" {
			if seenKey {
				return nil, b.errorf(a.Pos, "positional argument after a keyword argument")
			}
			if def.keyOnly || i >= len(def.params) {
				if len(def.params) == 0 {
					return nil, b.errorf(a.Pos, "%s takes no arguments", l.Name)
				}
				if def.keyOnly {
					return nil, b.errorf(a.Pos, "%s takes keyword arguments only (%s)", l.Name, paramNames(def))
				}
				return nil, b.errorf(a.Pos, "%s takes at most %d arguments (%s), got %d", l.Name, len(def.params), paramNames(def), len(l.Args))
			}
			name = def.params[i].name
		} else {
			seenKey = true
			if !slices.ContainsFunc(def.params, func(p param) bool { return p.name == name }) {
				names := make([]string, len(def.params))
				for j, p := range def.params {
					names[j] = p.name
				}
				if len(names) == 0 {
					return nil, b.errorf(a.Pos, "%s takes no arguments", l.Name)
				}
				return nil, b.errorf(a.Pos, "%s has no argument %q%s (it takes %s)", l.Name, a.Key, suggest.Hint(name, names), paramNames(def))
			}
		}
		if _, dup := vals[name]; dup {
			return nil, b.errorf(a.Pos, "%s given twice", name)
		}
		vals[name] = a.Value
	}
	var missing []string
	for _, p := range def.params {
		if _, ok := vals[p.name]; !ok && p.def == "" && !def.keyOnly {
			missing = append(missing, p.name)
		}
	}
	if len(missing) > 0 {
		return nil, b.errorf(l.Pos, "%s needs %s (it takes %s)", l.Name, strings.Join(missing, " and "), paramNames(def))
	}
	return vals, nil
}

func paramNames(def layerDef) string {
	var parts []string
	for _, p := range def.params {
		if p.def != "" {
			parts = append(parts, p.name+"="+p.def)
		} else {
			parts = append(parts, p.name)
		}
	}
	return strings.Join(parts, ", ")
}

// argPos returns the position of the named argument of l, or of l.
func argPos(l Layer, def layerDef, name string) int {
	for i, a := range l.Args {
		if strings.EqualFold(a.Key, name) || (a.Key == "" && i < len(def.params) && def.params[i].name == name) {
			return a.Pos
		}
	}
	return l.Pos
}

// intArg returns the named integer argument (or its default), which must
// lie in [lo, MaxWidth].
func (b *builder) intArg(l Layer, def layerDef, vals map[string]string, name string, lo int) (int, error) {
	s, ok := vals[name]
	if !ok {
		for _, p := range def.params {
			if p.name == name {
				s = p.def
			}
		}
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		return 0, b.errorf(argPos(l, def, name), "%s of %s must be an integer, got %q", name, l.Name, s)
	}
	if v < lo || v > MaxWidth {
		return 0, b.errorf(argPos(l, def, name), "%s of %s must be between %d and %d, got %d", name, l.Name, lo, MaxWidth, v)
	}
	return v, nil
}

func (b *builder) floatArg(l Layer, def layerDef, vals map[string]string, name string) (float32, error) {
	v, err := strconv.ParseFloat(vals[name], 32)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, b.errorf(argPos(l, def, name), "%s of %s must be a finite number, got %q", name, l.Name, vals[name])
	}
	return float32(v), nil
}

func (b *builder) boolArg(l Layer, def layerDef, vals map[string]string, name string) (bool, error) {
	s, ok := vals[name]
	if !ok {
		for _, p := range def.params {
			if p.name == name {
				s = p.def
			}
		}
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		return false, b.errorf(argPos(l, def, name), "%s of %s must be true or false, got %q", name, l.Name, s)
	}
	return v, nil
}

func (b *builder) build() (*snn.Net, error) {
	s, o := b.spec, b.o
	if o.T < 1 {
		return nil, fmt.Errorf("arch: T must be at least 1, got %d", o.T)
	}
	if len(o.InputShape) == 0 {
		return nil, fmt.Errorf("arch: no input shape")
	}
	if len(s.Layers) > MaxLayers {
		return nil, b.errorf(s.Layers[MaxLayers].Pos, "more than %d layers", MaxLayers)
	}
	in := slices.Clone(o.InputShape)
	if len(s.Layers) > 0 && b.canonical(s.Layers[0].Name) == "linear" {
		in = []int{product(in)} // a network that starts with a linear layer takes the input flattened
	}
	shape := slices.Clone(in)
	var layers []nn.Module
	for _, l := range s.Layers {
		m, next, err := b.layer(l, shape)
		if err != nil {
			return nil, err
		}
		layers = append(layers, m)
		shape = next
	}
	net, err := snn.New(o.T, in, layers...)
	if err != nil {
		return nil, fmt.Errorf("arch: %w", err)
	}
	return net, nil
}

// canonical returns the layerDefs name of a layer name ("node" for every
// node), or "" if unknown.
func (b *builder) canonical(name string) string {
	n := strings.ToLower(name)
	if a, ok := aliases[n]; ok {
		n = a
	}
	if _, ok := nodeKinds[n]; ok {
		return "node"
	}
	if _, ok := layerDefs[n]; ok {
		return n
	}
	return ""
}

// layer builds one layer for an input of the given per-sample shape and
// returns it with its output shape.
func (b *builder) layer(l Layer, shape []int) (nn.Module, []int, error) {
	kind := b.canonical(l.Name)
	if kind == "" {
		return nil, nil, b.errorf(l.Pos, "unknown layer %q%s", l.Name, suggest.Hint(strings.ToLower(l.Name), Names()))
	}
	def := layerDefs[kind]
	vals, err := b.args(l, def)
	if err != nil {
		return nil, nil, err
	}
	need := func(rank int, what string) error {
		if len(shape) != rank {
			hint := ""
			if kind == "linear" {
				hint = ": add flatten before it"
			}
			return b.errorf(l.Pos, "%s needs %s input, but the input here is %v%s", l.Name, what, shape, hint)
		}
		return nil
	}
	switch kind {
	case "linear":
		if err := need(1, "a flat"); err != nil {
			return nil, nil, err
		}
		out, err := b.intArg(l, def, vals, "out", 1)
		if err != nil {
			return nil, nil, err
		}
		bias, err := b.boolArg(l, def, vals, "bias")
		if err != nil {
			return nil, nil, err
		}
		if err := b.reserve(l.Pos, shape[0]*out+out); err != nil {
			return nil, nil, err
		}
		lin, err := nn.NewLinear(shape[0], out, bias, b.rng)
		return lin, []int{out}, err
	case "conv":
		if err := need(3, "a [C H W]"); err != nil {
			return nil, nil, err
		}
		var v [4]int
		for i, name := range []string{"out", "kernel", "stride", "pad"} {
			lo := 1
			if name == "pad" {
				lo = 0
			}
			if v[i], err = b.intArg(l, def, vals, name, lo); err != nil {
				return nil, nil, err
			}
		}
		bias, err := b.boolArg(l, def, vals, "bias")
		if err != nil {
			return nil, nil, err
		}
		h, w := (shape[1]+2*v[3]-v[1])/v[2]+1, (shape[2]+2*v[3]-v[1])/v[2]+1
		if shape[1]+2*v[3] < v[1] || shape[2]+2*v[3] < v[1] {
			return nil, nil, b.errorf(l.Pos, "kernel %d is larger than the padded %dx%d input", v[1], shape[1], shape[2])
		}
		if err := b.reserve(l.Pos, v[0]*shape[0]*v[1]*v[1]+v[0]); err != nil {
			return nil, nil, err
		}
		c, err := nn.NewConv2d(shape[0], v[0], v[1], v[2], v[3], bias, b.rng)
		if err != nil {
			return nil, nil, b.errorf(l.Pos, "%v", err)
		}
		return c, []int{v[0], h, w}, nil
	case "bn":
		switch len(shape) {
		case 3:
			bn, err := nn.NewBatchNorm2d(shape[0])
			return bn, shape, err
		case 1:
			bn, err := nn.NewBatchNorm1d(shape[0])
			return bn, shape, err
		}
		return nil, nil, b.errorf(l.Pos, "bn needs a [C H W] or flat input, but the input here is %v", shape)
	case "maxpool", "avgpool":
		if err := need(3, "a [C H W]"); err != nil {
			return nil, nil, err
		}
		k, err := b.intArg(l, def, vals, "kernel", 1)
		if err != nil {
			return nil, nil, err
		}
		stride := k
		if _, ok := vals["stride"]; ok {
			if stride, err = b.intArg(l, def, vals, "stride", 1); err != nil {
				return nil, nil, err
			}
		}
		pad := 0
		if kind == "avgpool" {
			if pad, err = b.intArg(l, def, vals, "pad", 0); err != nil {
				return nil, nil, err
			}
		}
		if shape[1]+2*pad < k || shape[2]+2*pad < k {
			return nil, nil, b.errorf(l.Pos, "pooling window %d is larger than the %dx%d input", k, shape[1], shape[2])
		}
		out := []int{shape[0], (shape[1]+2*pad-k)/stride + 1, (shape[2]+2*pad-k)/stride + 1}
		var m nn.Module
		if kind == "maxpool" {
			m, err = nn.NewMaxPool2d(k, stride)
		} else {
			m, err = nn.NewAvgPool2d(k, stride, pad)
		}
		if err != nil {
			return nil, nil, b.errorf(l.Pos, "%v", err)
		}
		return m, out, nil
	case "flatten":
		return nn.NewFlatten(), []int{product(shape)}, nil
	case "dropout":
		p, err := b.floatArg(l, def, vals, "p")
		if err != nil {
			return nil, nil, err
		}
		d, err := nn.NewDropout(p, b.rng)
		if err != nil {
			return nil, nil, b.errorf(argPos(l, def, "p"), "%v", err)
		}
		return d, shape, nil
	}
	n, err := b.node(l, def, vals)
	return n, shape, err
}

// node builds a neuron node from its options.
func (b *builder) node(l Layer, def layerDef, vals map[string]string) (nn.Module, error) {
	kind := nodeKinds[strings.ToLower(l.Name)]
	if kind == "" {
		kind = b.o.Node
		if kind == "" {
			kind = "LIFNode"
		}
	}
	opts := slices.Clone(b.o.NodeOptions)
	floats := map[string]func(float32) node.Option{
		"threshold": node.WithThreshold, "tau": node.WithTau, "dt": node.WithDt, "v_reset": node.WithVReset, "alpha": node.WithAlpha,
	}
	bools := map[string]func(bool) node.Option{
		"detach": node.WithMemDetach, "learn_threshold": node.WithThresholdGrad, "nonspiking": node.WithNonSpiking,
	}
	for _, p := range def.params { // in the grammar's order, for determinism
		if _, ok := vals[p.name]; !ok {
			continue
		}
		switch {
		case floats[p.name] != nil:
			v, err := b.floatArg(l, def, vals, p.name)
			if err != nil {
				return nil, err
			}
			opts = append(opts, floats[p.name](v))
		case bools[p.name] != nil:
			v, err := b.boolArg(l, def, vals, p.name)
			if err != nil {
				return nil, err
			}
			opts = append(opts, bools[p.name](v))
		case p.name == "surrogate":
			name := vals[p.name]
			if !slices.Contains(surrogate.Names(), name) {
				return nil, b.errorf(argPos(l, def, p.name), "%s", suggest.Unknown("surrogate function", name, surrogate.Names()))
			}
			opts = append(opts, node.WithSurrogate(name))
		}
	}
	n, err := node.New(kind, opts...)
	if err != nil {
		return nil, b.errorf(l.Pos, "%v", err)
	}
	return n, nil
}

func product(s []int) int {
	p := 1
	for _, d := range s {
		p *= d
	}
	return p
}
