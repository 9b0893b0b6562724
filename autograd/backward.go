package autograd

import (
	"errors"
	"fmt"

	"github.com/spikego/spikego/tensor"
)

// Backward computes the gradient of root with respect to every Var on its
// tape that requires one, and accumulates it into the leaves' Grad (adding
// to what an earlier Backward left there, as PyTorch does). grad is the
// gradient of some scalar with respect to root; nil means ones of root's
// shape.
//
// Memory that Functions took from a Pool goes back to it: each gradient
// buffer as soon as the gradient it holds has been consumed, and the
// buffers of each recorded Forward when Backward returns (see Pool). A
// second Backward through the same nodes works as long as their layers
// have not run forward in between; otherwise it is an error.
func Backward(root *Var, grad *tensor.Tensor) error {
	if root == nil {
		return errors.New("autograd: Backward of a nil Var")
	}
	if !root.requiresGrad {
		return errors.New("autograd: Backward of a Var that does not require grad")
	}
	if grad == nil {
		grad = tensor.Full(1, root.value.Shape()...)
	} else if !grad.SameShape(root.value) {
		return fmt.Errorf("autograd: Backward: grad shape %v does not match root shape %v", grad.Shape(), root.value.Shape())
	}
	if root.creator == nil {
		return accumulate(root, grad)
	}
	order := topoOrder(root.creator)
	for _, n := range order {
		if n.ctx.released {
			if err := n.ctx.reclaim(n.fn); err != nil {
				return err
			}
		}
	}
	// The nodes' own buffers return to their pools only at the end, so
	// that the values of the tape (the outputs a caller may still read)
	// are not reused for gradients within this Backward.
	done := 0
	defer func() {
		for _, n := range order[len(order)-done:] {
			n.ctx.release()
		}
	}()
	st := &backwardState{}
	defer func() {
		for _, l := range st.live {
			l.p.Put(l.b)
		}
	}()
	grads := map[*node]*tensor.Tensor{root.creator: grad}
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		g := grads[n]
		delete(grads, n)
		if g != nil {
			if err := backwardNode(n, g, grads, st); err != nil {
				done++
				return err
			}
		}
		done++
		st.sweep(grads)
	}
	return nil
}

// backwardNode runs the Backward of node n on the gradient g of its
// output and passes the input gradients on: into grads for the inputs
// made by other nodes, into the leaves' Grad.
func backwardNode(n *node, g *tensor.Tensor, grads map[*node]*tensor.Tensor, st *backwardState) error {
	if n.out.retainGrad {
		if err := accumulate(n.out, g); err != nil {
			return err
		}
	}
	n.ctx.bw = st
	gin, err := n.fn.Backward(n.ctx, g)
	n.ctx.bw = nil
	lent := st.spares
	st.spares = nil
	if err != nil {
		return err
	}
	_, fresh := n.fn.(FreshGrads)
	for j, in := range n.inputs {
		if in == nil || !n.ctx.NeedsInputGrad(j) || j >= len(gin) || gin[j] == nil {
			continue
		}
		gj := gin[j]
		if !gj.SameShape(in.value) {
			return fmt.Errorf("autograd: %T.Backward returned grad of shape %v for input %d of shape %v", n.fn, gj.Shape(), j, in.value.Shape())
		}
		if in.creator == nil {
			own := in.spare != nil && gj == in.spare // its own storage, lent by GradBuffer
			if in.grad == nil && (own || fresh) && !sharedGrad(gin, j, g) {
				in.grad, in.spare = gj, nil // nothing else holds gj: no copy needed
				st.disown(gj)
				continue
			}
			if err := accumulate(in, gj); err != nil {
				return err
			}
			continue
		}
		if prev := grads[in.creator]; prev != nil {
			sum, err := tensor.Add(prev, gj)
			if err != nil {
				return err
			}
			grads[in.creator] = sum
		} else {
			grads[in.creator] = gj
		}
	}
	// A leaf's lent storage that it did not take back must not stay its
	// spare if a gradient now lives in it.
	for _, v := range lent {
		if v.spare == nil {
			continue
		}
		for _, o := range gin {
			if o != nil && o.SharesStorage(v.spare) {
				v.spare = nil
				break
			}
		}
	}
	return nil
}

// sharedGrad reports whether gin[j] shares storage with the incoming
// gradient g or another gradient in gin: a check of what a FreshGrads
// Function promises, before a leaf takes gin[j] as its own.
func sharedGrad(gin []*tensor.Tensor, j int, g *tensor.Tensor) bool {
	if gin[j].SharesStorage(g) {
		return true
	}
	for k, o := range gin {
		if k != j && o != nil && gin[j].SharesStorage(o) {
			return true
		}
	}
	return false
}

// accumulate adds g into v.grad, copying g the first time so the Var owns
// its gradient (into the storage of its recycled gradient when it has
// one of g's shape).
func accumulate(v *Var, g *tensor.Tensor) error {
	if v.grad == nil {
		if s := v.spare; s != nil && s.SameShape(g) && !s.SharesStorage(g) {
			copy(s.Data(), g.Data())
			v.grad, v.spare = s, nil
			return nil
		}
		v.grad = g.Clone()
		return nil
	}
	return tensor.AddInto(v.grad, g)
}

// topoOrder returns the nodes reachable from root so that every node
// comes after all nodes that consume its output.
func topoOrder(root *node) []*node {
	var order []*node
	visited := map[*node]bool{root: true}
	type frame struct {
		n    *node
		next int
	}
	stack := []frame{{n: root}}
	for len(stack) > 0 {
		top := &stack[len(stack)-1]
		if top.next < len(top.n.inputs) {
			in := top.n.inputs[top.next]
			top.next++
			if in != nil && in.requiresGrad && in.creator != nil && !visited[in.creator] {
				visited[in.creator] = true
				stack = append(stack, frame{n: in.creator})
			}
			continue
		}
		order = append(order, top.n)
		stack = stack[:len(stack)-1]
	}
	// order is post-order (inputs before consumers); reverse iteration in
	// Backward therefore visits consumers first.
	return order
}
