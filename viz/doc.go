// Package viz draws figures of spikego's functions with gonum.org/v1/plot
// and writes them as PNG images.
//
// SurrogateFigure draws the surrogate spike functions of package
// surrogate, one panel each: the forward spike S(x), with its jumps drawn
// as such (a filled dot marks the value taken at the jump, an open dot the
// limit that is not taken), the primitive g(x) where the function has
// one, and the surrogate gradient g'(x) that the backward pass uses in
// place of dS/dx.
//
// The package keeps no state of its own: every call builds its figure
// from its arguments alone, so calls may run concurrently.
package viz
