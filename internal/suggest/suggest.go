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

// distance is the Levenshtein distance between a and b, in runes.
func distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
