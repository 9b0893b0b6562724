package nn

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"github.com/spikego/spikego/autograd"
	"github.com/spikego/spikego/internal/suggest"
)

// SpikeLoss is a spike loss chosen by name, with its parameters bound:
// what NewSpikeLoss returns. The zero value is not usable.
type SpikeLoss struct {
	name  string
	input LossInput
	args  []string // canonical key=value of the parameters that differ from the defaults
	fn    func(out *autograd.Var, labels []int) (*autograd.Var, error)
}

// Name returns the loss's registry name, e.g. "mse_count_loss".
func (l SpikeLoss) Name() string { return l.name }

// Input says whether the loss reads the output spikes or the output
// layer's membrane potential.
func (l SpikeLoss) Input() LossInput { return l.input }

// String returns the canonical spec of the loss: its name, followed by the
// parameters that differ from their defaults in snnTorch's call syntax,
// e.g. "mse_count_loss(correct_rate=0.8, incorrect_rate=0.2)".
// NewSpikeLoss(l.String()) gives the same loss, so a checkpoint can record
// it.
func (l SpikeLoss) String() string {
	if len(l.args) == 0 {
		return l.name
	}
	return l.name + "(" + strings.Join(l.args, ", ") + ")"
}

// Loss returns the loss of out [T, B, C] for labels (B entries in [0, C),
// or in [0, num_classes) for a population code) as a 0-d Var.
func (l SpikeLoss) Loss(out *autograd.Var, labels []int) (*autograd.Var, error) {
	if l.fn == nil {
		return nil, fmt.Errorf("nn: zero SpikeLoss (use NewSpikeLoss)")
	}
	return l.fn(out, labels)
}

// paramKind is the type of a loss parameter.
type paramKind int

const (
	floatParam paramKind = iota
	intParam
	boolParam
	stringParam
)

// paramValue holds a parameter's value; num holds floats and ints.
type paramValue struct {
	num float64
	b   bool
	s   string
}

// lossParam declares one keyword parameter of a loss, under snnTorch's name.
type lossParam struct {
	name string
	kind paramKind
	def  paramValue
}

// format writes v as snnTorch's Python call would: 0.8, 10, True, 'negate'.
func (p lossParam) format(v paramValue) string {
	switch p.kind {
	case intParam:
		return strconv.FormatInt(int64(v.num), 10)
	case boolParam:
		if v.b {
			return "True"
		}
		return "False"
	case stringParam:
		return "'" + v.s + "'"
	}
	return strconv.FormatFloat(v.num, 'g', -1, 64)
}

// lossEntry declares one loss of the registry.
type lossEntry struct {
	name   string
	input  LossInput
	params []lossParam
	build  func(v map[string]paramValue) func(out *autograd.Var, labels []int) (*autograd.Var, error)
}

type lossFn = func(out *autograd.Var, labels []int) (*autograd.Var, error)

func num(v float64) paramValue { return paramValue{num: v} }

// spikeLossTable returns the registry, in the order SpikeLossNames lists
// it. It is built on each call, so that nothing of it can be changed from
// outside.
func spikeLossTable() []lossEntry {
	population := []lossParam{{"population_code", boolParam, paramValue{}}, {"num_classes", intParam, num(0)}}
	noParams := func(f lossFn) func(map[string]paramValue) lossFn {
		return func(map[string]paramValue) lossFn { return f }
	}
	return []lossEntry{
		{"cross_entropy_rate", SpikeInput, nil, noParams(CrossEntropyRate)},
		{"mse_rate", SpikeInput, nil, noParams(MSERate)},
		{"ce_rate_loss", SpikeInput, nil, noParams(CERateLoss)},
		{"ce_count_loss", SpikeInput, population, func(v map[string]paramValue) lossFn {
			if v["population_code"].b {
				nc := int(v["num_classes"].num)
				return func(out *autograd.Var, labels []int) (*autograd.Var, error) {
					return CECountLossPopulation(out, labels, nc)
				}
			}
			return CECountLoss
		}},
		{"mse_count_loss", SpikeInput, append([]lossParam{{"correct_rate", floatParam, num(1)}, {"incorrect_rate", floatParam, num(0)}}, population...),
			func(v map[string]paramValue) lossFn {
				cr, ir := v["correct_rate"].num, v["incorrect_rate"].num
				if v["population_code"].b {
					nc := int(v["num_classes"].num)
					return func(out *autograd.Var, labels []int) (*autograd.Var, error) {
						return MSECountLossPopulation(out, labels, nc, cr, ir)
					}
				}
				return func(out *autograd.Var, labels []int) (*autograd.Var, error) {
					return MSECountLoss(out, labels, cr, ir)
				}
			}},
		{"mse_temporal_loss", SpikeInput, []lossParam{{"on_target", floatParam, num(0)}, {"off_target", floatParam, num(-1)}, {"tolerance", floatParam, num(0)}},
			func(v map[string]paramValue) lossFn {
				on, off, tol := v["on_target"].num, v["off_target"].num, v["tolerance"].num
				return func(out *autograd.Var, labels []int) (*autograd.Var, error) {
					return MSETemporalLoss(out, labels, on, off, tol)
				}
			}},
		{"ce_temporal_loss", SpikeInput, []lossParam{{"inverse", stringParam, paramValue{s: "negate"}}},
			func(v map[string]paramValue) lossFn {
				inv := v["inverse"].s
				return func(out *autograd.Var, labels []int) (*autograd.Var, error) {
					return CETemporalLoss(out, labels, inv)
				}
			}},
		{"ce_max_membrane_loss", MembraneInput, nil, noParams(CEMaxMembraneLoss)},
		{"mse_membrane_loss", MembraneInput, []lossParam{{"on_target", floatParam, num(1)}, {"off_target", floatParam, num(0)}},
			func(v map[string]paramValue) lossFn {
				on, off := v["on_target"].num, v["off_target"].num
				return func(out *autograd.Var, labels []int) (*autograd.Var, error) {
					return MSEMembraneLoss(out, labels, on, off)
				}
			}},
		{"ce_per_step_membrane_loss", MembraneInput, nil, noParams(CEPerStepMembraneLoss)},
		{"ce_mean_membrane_loss", MembraneInput, nil, noParams(CEMeanMembraneLoss)},
		{"ce_last_membrane_loss", MembraneInput, nil, noParams(CELastMembraneLoss)},
	}
}

// SpikeLossNames returns the names NewSpikeLoss accepts, spike losses
// first, then membrane losses:
//
//	cross_entropy_rate         CrossEntropyRate (spikego's default)
//	mse_rate                   MSERate (SpikingJelly's tutorials)
//	ce_rate_loss               CERateLoss                  snnTorch
//	ce_count_loss              CECountLoss(Population)     snnTorch: population_code, num_classes
//	mse_count_loss             MSECountLoss(Population)    snnTorch: correct_rate, incorrect_rate, population_code, num_classes
//	mse_temporal_loss          MSETemporalLoss             snnTorch: on_target, off_target, tolerance
//	ce_temporal_loss           CETemporalLoss              snnTorch: inverse
//	ce_max_membrane_loss       CEMaxMembraneLoss           snnTorch
//	mse_membrane_loss          MSEMembraneLoss             snnTorch: on_target, off_target
//	ce_per_step_membrane_loss  CEPerStepMembraneLoss (snnTorch's tutorial 5)
//	ce_mean_membrane_loss      CEMeanMembraneLoss
//	ce_last_membrane_loss      CELastMembraneLoss
func SpikeLossNames() []string {
	t := spikeLossTable()
	names := make([]string, len(t))
	for i, e := range t {
		names[i] = e.name
	}
	return names
}

// NewSpikeLoss returns the loss a spec names. A spec is a name from
// SpikeLossNames, optionally followed by keyword parameters in snnTorch's
// Python call syntax, each at most once:
//
//	ce_rate_loss
//	mse_count_loss(correct_rate=0.8, incorrect_rate=0.2)
//	ce_count_loss(population_code=True, num_classes=10)
//	mse_membrane_loss(on_target=1.05, off_target=0.2)
//	ce_temporal_loss(inverse='reciprocal')
//
// Numbers are decimal, booleans True/False (or true/false), strings quoted
// with ' or " (or bare). Omitted parameters take snnTorch's defaults.
// Unknown names and parameters are errors with a "did you mean"
// suggestion; population_code=True needs num_classes > 0.
func NewSpikeLoss(spec string) (SpikeLoss, error) {
	name, args, err := parseLossSpec(spec)
	if err != nil {
		return SpikeLoss{}, fmt.Errorf("nn: loss %q: %w", spec, err)
	}
	var entry *lossEntry
	table := spikeLossTable()
	for i := range table {
		if table[i].name == name {
			entry = &table[i]
		}
	}
	if entry == nil {
		return SpikeLoss{}, fmt.Errorf("nn: %s", suggest.Unknown("spike loss", name, SpikeLossNames()))
	}
	values := make(map[string]paramValue, len(entry.params))
	known := make([]string, len(entry.params))
	for i, p := range entry.params {
		values[p.name] = p.def
		known[i] = p.name
	}
	set := make(map[string]bool, len(args))
	for _, a := range args {
		var p *lossParam
		for i := range entry.params {
			if entry.params[i].name == a.key {
				p = &entry.params[i]
			}
		}
		if p == nil {
			if len(known) == 0 {
				return SpikeLoss{}, fmt.Errorf("nn: loss %q: %s takes no parameters, got %q", spec, name, a.key)
			}
			return SpikeLoss{}, fmt.Errorf("nn: loss %q: %s", spec, suggest.Unknown("parameter of "+name, a.key, known))
		}
		if set[a.key] {
			return SpikeLoss{}, fmt.Errorf("nn: loss %q: parameter %s given twice", spec, a.key)
		}
		set[a.key] = true
		v, err := parseParamValue(*p, a.value)
		if err != nil {
			return SpikeLoss{}, fmt.Errorf("nn: loss %q: %s: %w", spec, a.key, err)
		}
		values[a.key] = v
	}
	if values["population_code"].b && values["num_classes"].num <= 0 {
		return SpikeLoss{}, fmt.Errorf("nn: loss %q: population_code=True needs num_classes > 0", spec)
	}
	if inv, ok := values["inverse"]; ok && inv.s != "negate" && inv.s != "reciprocal" {
		return SpikeLoss{}, fmt.Errorf("nn: loss %q: inverse must be 'negate' or 'reciprocal', got %q", spec, inv.s)
	}
	var canon []string
	for _, p := range entry.params {
		if values[p.name] != p.def {
			canon = append(canon, p.name+"="+p.format(values[p.name]))
		}
	}
	return SpikeLoss{name: entry.name, input: entry.input, args: canon, fn: entry.build(values)}, nil
}

// lossArg is one key=value of a spec, value still as written.
type lossArg struct{ key, value string }

// parseLossSpec splits `name(key=value, ...)` into its parts. Errors name
// the byte offset of the mistake.
func parseLossSpec(spec string) (string, []lossArg, error) {
	s := strings.TrimSpace(spec)
	open := strings.IndexByte(s, '(')
	name := s
	if open >= 0 {
		name = strings.TrimSpace(s[:open])
	}
	if name == "" {
		return "", nil, fmt.Errorf("empty loss name")
	}
	for i, r := range name {
		if !(r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return "", nil, fmt.Errorf("unexpected %q at offset %d in the loss name", r, i)
		}
	}
	if open < 0 {
		return name, nil, nil
	}
	if !strings.HasSuffix(s, ")") {
		return "", nil, fmt.Errorf("missing ')' at the end")
	}
	body := s[open+1 : len(s)-1]
	if strings.TrimSpace(body) == "" {
		return name, nil, nil
	}
	var args []lossArg
	pos := open + 1
	for _, part := range splitArgs(body) {
		kv := strings.SplitN(part, "=", 2)
		if len(kv) != 2 {
			return "", nil, fmt.Errorf("parameter %q at offset %d is not key=value", strings.TrimSpace(part), pos)
		}
		key, val := strings.TrimSpace(kv[0]), strings.TrimSpace(kv[1])
		if key == "" || val == "" {
			return "", nil, fmt.Errorf("parameter %q at offset %d is not key=value", strings.TrimSpace(part), pos)
		}
		args = append(args, lossArg{key, val})
		pos += len(part) + 1
	}
	return name, args, nil
}

// splitArgs splits s at the commas that are not inside quotes.
func splitArgs(s string) []string {
	var parts []string
	var quote rune
	start := 0
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == ',':
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// parseParamValue converts a written value to the parameter's kind.
func parseParamValue(p lossParam, s string) (paramValue, error) {
	switch p.kind {
	case boolParam:
		switch s {
		case "True", "true":
			return paramValue{b: true}, nil
		case "False", "false":
			return paramValue{}, nil
		}
		return paramValue{}, fmt.Errorf("%q is not True or False", s)
	case stringParam:
		if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
			s = s[1 : len(s)-1]
		}
		return paramValue{s: s}, nil
	case intParam:
		n, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			return paramValue{}, fmt.Errorf("%q is not an integer", s)
		}
		return num(float64(n)), nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return paramValue{}, fmt.Errorf("%q is not a finite number", s)
	}
	return num(f), nil
}
