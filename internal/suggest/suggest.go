// Package suggest finds the known name closest to a mistyped one, for
// "did you mean" hints in error messages.
package suggest

import (
	"fmt"
	"strings"
)

// Closest returns the option nearest to name: an exact match ignoring
// case, else the option with the smallest edit distance if that distance
// is small for the name's length (at most a third of its runes, and at
// least 1), else "".
func Closest(name string, options []string) string {
	best, bestD := "", -1
	for _, o := range options {
		if strings.EqualFold(o, name) {
			return o
		}
		d := distance(strings.ToLower(name), strings.ToLower(o))
		if bestD < 0 || d < bestD {
			best, bestD = o, d
		}
	}
	limit := max(1, len([]rune(name))/3)
	if bestD < 0 || bestD > limit {
		return ""
	}
	return best
}

// Hint returns ` (did you mean "x"?)` for the closest option, or "".
func Hint(name string, options []string) string {
	if c := Closest(name, options); c != "" {
		return fmt.Sprintf(" (did you mean %q?)", c)
	}
	return ""
}

// Unknown returns the error text `unknown WHAT "name" (did you mean
// "x"?; known: a, b, c)`.
func Unknown(what, name string, options []string) string {
	msg := fmt.Sprintf("unknown %s %q", what, name)
	if c := Closest(name, options); c != "" {
		return msg + fmt.Sprintf(" (did you mean %q?; known: %s)", c, strings.Join(options, ", "))
	}
	return msg + " (known: " + strings.Join(options, ", ") + ")"
}

// distance is the edit distance between a and b in runes, counting an
// insertion, a deletion, a substitution or a swap of two neighbours as one
// edit (optimal string alignment), so that "bais" is one edit from "bias".
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}
