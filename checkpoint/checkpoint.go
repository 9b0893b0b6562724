package checkpoint

import (
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"github.com/spikego/spikego/internal/rundir"
	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/optim"
	"github.com/spikego/spikego/safetensors"
	"github.com/spikego/spikego/tensor"
)

// Format is the value of the "format" metadata key of the files this
// package writes.
const Format = "spikego-checkpoint-2"

// Metadata keys this package sets.
const (
	// FormatKey holds Format.
	FormatKey = "format"
	// OptimizerKey holds the saved optimizer's Name.
	OptimizerKey = "optimizer"
)

// OptimizerPrefix starts the names of optimizer state tensors.
const OptimizerPrefix = "optimizer."

// File is a checkpoint read by Read.
type File struct {
	// Model is the module's state_dict by name.
	Model map[string]*tensor.Tensor
	// Optimizer is the optimizer state by name (without OptimizerPrefix),
	// or nil when the file holds none.
	Optimizer map[string]*tensor.Tensor
	// Meta is the file's metadata; nil for a plain PyTorch state_dict.
	Meta map[string]string
}

// Optimizer returns the optimizer kind recorded in the file, or "".
func (f *File) OptimizerName() string { return f.Meta[OptimizerKey] }

// Write writes m's state_dict, opt's state (when opt is not nil) and meta
// to w as a checkpoint. opt must implement optim.Stateful. meta must not
// set the keys this package sets.
func Write(w io.Writer, m nn.Module, opt optim.Optimizer, meta map[string]string) error {
	ts, md, err := encode(m, opt, meta)
	if err != nil {
		return err
	}
	return safetensors.Write(w, ts, md)
}

// Save writes the checkpoint of Write to path atomically: a crash or an
// error leaves either the old file or the complete new one.
func Save(path string, m nn.Module, opt optim.Optimizer, meta map[string]string) error {
	ts, md, err := encode(m, opt, meta)
	if err != nil {
		return err
	}
	return rundir.WriteFile(path, func(w io.Writer) error { return safetensors.Write(w, ts, md) })
}

func encode(m nn.Module, opt optim.Optimizer, meta map[string]string) ([]safetensors.Tensor, map[string]string, error) {
	md := map[string]string{FormatKey: Format}
	for k, v := range meta {
		if k == FormatKey || k == OptimizerKey {
			return nil, nil, fmt.Errorf("checkpoint: metadata key %q is reserved", k)
		}
		md[k] = v
	}
	var ts []safetensors.Tensor
	for _, e := range nn.StateDict(m) {
		if strings.HasPrefix(e.Name, OptimizerPrefix) {
			return nil, nil, fmt.Errorf("checkpoint: module tensor %q uses the optimizer prefix", e.Name)
		}
		t := safetensors.Tensor{Name: e.Name, Shape: e.Tensor.Shape(), Data: e.Tensor.Data()}
		if isCount(e.Name) {
			t.DType = safetensors.I64 // an integer in PyTorch's state_dict
		}
		ts = append(ts, t)
	}
	if opt != nil {
		st, ok := opt.(optim.Stateful)
		if !ok {
			return nil, nil, fmt.Errorf("checkpoint: optimizer %T cannot save its state (it does not implement optim.Stateful)", opt)
		}
		md[OptimizerKey] = st.Name()
		sd := st.StateDict()
		names := make([]string, 0, len(sd))
		for k := range sd {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			ts = append(ts, safetensors.Tensor{Name: OptimizerPrefix + k, Shape: sd[k].Shape(), Data: sd[k].Data()})
		}
	}
	return ts, md, nil
}

// isCount reports whether a state_dict entry is one that PyTorch keeps as
// an int64 (BatchNorm's num_batches_tracked), so that it is written as I64.
func isCount(name string) bool {
	return name == "num_batches_tracked" || strings.HasSuffix(name, ".num_batches_tracked")
}

// Read reads the checkpoint at path: one this package wrote, or a plain
// state_dict saved by PyTorch (all of its tensors then form File.Model).
func Read(path string) (*File, error) {
	sf, err := safetensors.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	f := &File{Model: map[string]*tensor.Tensor{}, Meta: sf.Metadata}
	spikego := sf.Metadata[FormatKey] == Format
	for _, st := range sf.Tensors {
		data, err := st.Float32s()
		if err != nil {
			return nil, fmt.Errorf("checkpoint: %s: %w", path, err)
		}
		t, err := tensor.FromSlice(data, st.Shape...)
		if err != nil {
			return nil, fmt.Errorf("checkpoint: %s: tensor %q: %w", path, st.Name, err)
		}
		if name, ok := strings.CutPrefix(st.Name, OptimizerPrefix); ok && spikego {
			if f.Optimizer == nil {
				f.Optimizer = map[string]*tensor.Tensor{}
			}
			f.Optimizer[name] = t
			continue
		}
		f.Model[st.Name] = t
	}
	return f, nil
}

// Load reads the checkpoint at path into m and, when opt is not nil, its
// optimizer state into opt, and returns the file's metadata. See LoadFile.
func Load(path string, m nn.Module, opt optim.Optimizer) (map[string]string, error) {
	f, err := Read(path)
	if err != nil {
		return nil, err
	}
	if err := f.LoadInto(m, opt); err != nil {
		return nil, fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	return f.Meta, nil
}

// LoadInto copies the file's state_dict into m and, when opt is not nil,
// its optimizer state into opt. It checks everything first (names, shapes,
// finite values, the optimizer's kind) and changes nothing on error. A
// file without optimizer state leaves opt's state as it is.
func (f *File) LoadInto(m nn.Module, opt optim.Optimizer) error {
	if err := CheckFinite(f.Model); err != nil {
		return err
	}
	var st optim.Stateful
	if opt != nil && f.Optimizer != nil {
		var ok bool
		if st, ok = opt.(optim.Stateful); !ok {
			return fmt.Errorf("optimizer %T cannot load state (it does not implement optim.Stateful)", opt)
		}
		if got := f.OptimizerName(); got != st.Name() {
			return fmt.Errorf("the optimizer state is %s's, the run uses %s", orUnknown(got), st.Name())
		}
		if err := CheckFinite(f.Optimizer); err != nil {
			return fmt.Errorf("optimizer state: %w", err)
		}
	}
	if err := checkNames(m, f.Model); err != nil {
		return err
	}
	// Load the optimizer first: it validates against its parameters and
	// changes nothing on error, after which the module load cannot fail.
	if st != nil {
		if err := st.LoadStateDict(f.Optimizer); err != nil {
			return fmt.Errorf("optimizer state: %w", err)
		}
	}
	return nn.LoadStateDict(m, f.Model)
}

func orUnknown(s string) string {
	if s == "" {
		return "an unknown optimizer"
	}
	return s
}

// checkNames compares the tensors of sd with m's state_dict and reports
// every difference at once: missing, unexpected and mis-shaped tensors.
func checkNames(m nn.Module, sd map[string]*tensor.Tensor) error {
	own := nn.StateDict(m)
	want := map[string]bool{}
	var problems []string
	for _, e := range own {
		want[e.Name] = true
		src, ok := sd[e.Name]
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("missing %q %v", e.Name, e.Tensor.Shape()))
		case !src.SameShape(e.Tensor) && src.Len() == e.Tensor.Len() && src.Len() == 1:
			// A scalar stored as [] or [1] (num_batches_tracked): same value.
			sd[e.Name], _ = tensor.FromSlice(src.Data(), e.Tensor.Shape()...)
		case !src.SameShape(e.Tensor):
			problems = append(problems, fmt.Sprintf("%q has shape %v, the model wants %v", e.Name, src.Shape(), e.Tensor.Shape()))
		}
	}
	var extra []string
	for name := range sd {
		if !want[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		problems = append(problems, fmt.Sprintf("unexpected %q %v", name, sd[name].Shape()))
	}
	if len(problems) == 0 {
		return nil
	}
	const show = 8
	more := ""
	if len(problems) > show {
		more = fmt.Sprintf("; and %d more", len(problems)-show)
		problems = problems[:show]
	}
	return fmt.Errorf("the checkpoint does not fit the model: %s%s", strings.Join(problems, "; "), more)
}

// ErrNonFinite is wrapped by the errors of CheckFinite.
var ErrNonFinite = errors.New("non-finite values")

// CheckFinite returns an error wrapping ErrNonFinite that names the first
// tensor (in name order) holding a NaN or an infinity, with their counts.
func CheckFinite(ts map[string]*tensor.Tensor) error {
	names := make([]string, 0, len(ts))
	for k := range ts {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		if nan, inf := CountNonFinite(ts[name].Data()); nan+inf > 0 {
			return fmt.Errorf("tensor %q holds %w (%d NaN, %d infinite of %d): the model diverged; it cannot be used", name, ErrNonFinite, nan, inf, ts[name].Len())
		}
	}
	return nil
}

// CountNonFinite returns the number of NaNs and of infinities in x.
func CountNonFinite(x []float32) (nan, inf int) {
	for _, v := range x {
		if math.IsNaN(float64(v)) {
			nan++
		} else if math.IsInf(float64(v), 0) {
			inf++
		}
	}
	return nan, inf
}
