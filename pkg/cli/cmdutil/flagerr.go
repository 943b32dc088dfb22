package cmdutil

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/spf13/pflag"
)

// maxShownValue bounds how much of a bad flag value an error repeats.
const maxShownValue = 40

// FlagParseError rewrites an error of the flag parser for people: a value
// that does not parse is named with its flag and what the flag wants,
// without the parser's own text ("strconv.ParseInt: parsing …"). Other
// errors are returned as they are.
func FlagParseError(err error) error {
	var iv *pflag.InvalidValueError
	if !errors.As(err, &iv) {
		return err
	}
	f := iv.GetFlag()
	return fmt.Errorf("--%s %s: %s", f.Name, quoteValue(iv.GetValue()), want(f.Value.Type(), iv.Unwrap()))
}

func quoteValue(v string) string {
	r := []rune(v)
	if len(r) > maxShownValue {
		return strconv.Quote(string(r[:maxShownValue])) + "…"
	}
	return strconv.Quote(v)
}

// want says what a flag of type typ takes; cause is the parser's error.
func want(typ string, cause error) string {
	var ne *strconv.NumError
	outOfRange := errors.As(cause, &ne) && errors.Is(ne.Err, strconv.ErrRange)
	switch typ {
	case "int", "int8", "int16", "int32", "int64":
		if outOfRange {
			return "the number is too large"
		}
		return "want a whole number"
	case "uint", "uint8", "uint16", "uint32", "uint64", "count":
		if outOfRange {
			return "the number is too large"
		}
		return "want a whole number, 0 or more"
	case "float32", "float64":
		return "want a number"
	case "bool":
		return "want true or false"
	case "duration":
		return "want a duration such as 90s, 5m or 1h30m"
	case "ip":
		return "want an IP address"
	case "ipNet":
		return "want a network in CIDR form"
	}
	return "not a valid " + typ
}
