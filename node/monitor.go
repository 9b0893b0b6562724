package node

import (
	"fmt"
	"strings"

	"github.com/spikego/spikego/nn"
	"github.com/spikego/spikego/tensor"
)

// Monitor records what the neuron nodes inside a module emit, as
// SpikingJelly's monitors do: at every forward pass of each node its
// spikes [T,B,...] (the membrane, for a non-spiking node), optionally its
// membrane potential after each step [T,B,...], and running counts for
// firing rates. It finds the nodes by walking the module (nn.Walk), in
// state_dict order. Recording keeps references to the latest outputs, not
// copies, and costs nothing per element, except the membranes, which a
// node then keeps for every step. The outputs of a training step are in
// memory the nodes recycle: they hold the step's values until the nodes
// run forward again after its Backward (see autograd.Pool).
//
// A Monitor is not safe for concurrent use with the forward passes it
// watches.
type Monitor struct {
	nodes        []*BaseNode
	names, paths []string
	recordMem    bool
	spikes, mems []*tensor.Tensor
	fired, seen  []float64
}

// NewMonitor returns a Monitor of every node inside m. With recordMem it
// also records membrane potentials (Mems). Close detaches it.
func NewMonitor(m nn.Module, recordMem bool) *Monitor {
	mo := &Monitor{recordMem: recordMem}
	count := 0
	nn.Walk(m, func(path string, mod nn.Module) error {
		b, ok := mod.(interface{ base() *BaseNode })
		if !ok {
			return nil
		}
		n := b.base()
		count++
		mo.nodes = append(mo.nodes, n)
		mo.paths = append(mo.paths, path)
		mo.names = append(mo.names, fmt.Sprintf("%s%d", strings.ToLower(strings.TrimSuffix(n.kind.String(), "Node")), count))
		n.observers = append(n.observers, mo)
		if recordMem {
			n.memWatchers++
		}
		return nn.ErrSkip // a node holds no nodes
	})
	k := len(mo.nodes)
	mo.spikes, mo.mems = make([]*tensor.Tensor, k), make([]*tensor.Tensor, k)
	mo.fired, mo.seen = make([]float64, k), make([]float64, k)
	return mo
}

// Close detaches the monitor from its nodes.
func (mo *Monitor) Close() {
	for _, n := range mo.nodes {
		for i, o := range n.observers {
			if o == mo {
				n.observers = append(n.observers[:i:i], n.observers[i+1:]...)
				break
			}
		}
		if mo.recordMem {
			n.memWatchers--
		}
	}
	mo.nodes = nil
}

// Names returns a label for each node, its kind and its rank among the
// nodes ("lif1", "lif2", "plif3", ...), for reports.
func (mo *Monitor) Names() []string { return append([]string(nil), mo.names...) }

// Paths returns each node's path in the module, the prefix of its
// state_dict names ("1", "3", ...).
func (mo *Monitor) Paths() []string { return append([]string(nil), mo.paths...) }

// Spikes returns each node's output in its latest forward pass, [T,B,...]
// (nil before the first). The tensors belong to the network: copy what
// must outlive the next pass.
func (mo *Monitor) Spikes() []*tensor.Tensor { return append([]*tensor.Tensor(nil), mo.spikes...) }

// Mems returns each node's membrane potential after every step of its
// latest forward pass, [T,B,...] (after the reset of neurons that fired),
// when the monitor records membranes; else nils.
func (mo *Monitor) Mems() []*tensor.Tensor { return append([]*tensor.Tensor(nil), mo.mems...) }

// FiringRates returns each node's fraction of neuron-steps that spiked
// since the monitor was made or last Reset (0 for a node that has not
// run).
func (mo *Monitor) FiringRates() []float64 {
	r := make([]float64, len(mo.fired))
	for i := range r {
		if mo.seen[i] > 0 {
			r[i] = mo.fired[i] / mo.seen[i]
		}
	}
	return r
}

// Reset restarts the firing-rate counts.
func (mo *Monitor) Reset() {
	for i := range mo.fired {
		mo.fired[i], mo.seen[i] = 0, 0
	}
}

func (mo *Monitor) observe(n *BaseNode, out, mem *tensor.Tensor, fired int) {
	for i, m := range mo.nodes {
		if m == n {
			mo.spikes[i] = out
			if mo.recordMem {
				mo.mems[i] = mem
			}
			mo.fired[i] += float64(fired)
			mo.seen[i] += float64(out.Len())
			return
		}
	}
}

// base returns the node itself, for NewMonitor to find the nodes in a
// module whatever their concrete type.
func (n *BaseNode) base() *BaseNode { return n }

// notify passes a forward pass's output to the node's monitors.
func (n *BaseNode) notify(out, mem *tensor.Tensor, fired int) {
	for _, o := range n.observers {
		o.observe(n, out, mem, fired)
	}
}
