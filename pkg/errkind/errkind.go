package errkind

import "errors"

// Kind is the category of an error, the thing exit codes are made of.
type Kind int

// The kinds, from the least to the most specific.
const (
	Unknown    Kind = iota // anything not classified
	Usage                  // bad flags, arguments or input
	Config                 // the configuration is invalid or a secret cannot be read
	Connection             // the host cannot be reached or its certificate is not trusted
	Auth                   // the host refused the credentials or the session
	NotFound               // a VM, template, backup or file does not exist
	Refused                // the operation is not allowed: sandbox, licence, state, conflict
	Partial                // some items of a batch failed, others succeeded
	Timeout                // a deadline passed
	Canceled               // the user interrupted the operation
)

var names = [...]string{"unknown", "usage", "config", "connection", "auth", "not-found", "refused", "partial", "timeout", "canceled"}

func (k Kind) String() string {
	if int(k) < len(names) {
		return names[k]
	}
	return "unknown"
}

// Sentinel is an error value with a kind, declared once by a package:
//
//	var ErrVMNotFound = errkind.New(errkind.NotFound, "virtual machine not found")
type Sentinel struct {
	kind Kind
	msg  string
}

// New declares a sentinel error of the given kind.
func New(k Kind, msg string) *Sentinel { return &Sentinel{kind: k, msg: msg} }

func (s *Sentinel) Error() string { return s.msg }

// Kind reports the sentinel's kind.
func (s *Sentinel) Kind() Kind { return s.kind }

type kinded interface{ Kind() Kind }

type wrapped struct {
	kind Kind
	err  error
}

func (w *wrapped) Error() string { return w.err.Error() }
func (w *wrapped) Unwrap() error { return w.err }
func (w *wrapped) Kind() Kind    { return w.kind }

// Wrap gives err a kind without changing its message. A nil err stays nil.
func Wrap(k Kind, err error) error {
	if err == nil {
		return nil
	}
	return &wrapped{kind: k, err: err}
}

// Of returns the kind of the outermost classified error in err's chain.
func Of(err error) Kind {
	var k kinded
	if errors.As(err, &k) {
		return k.Kind()
	}
	return Unknown
}
