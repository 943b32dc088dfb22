package retention

import "errors"

var (
	// ErrEmptyPolicy is returned by Policy.Validate when every count is zero:
	// such a policy would remove every backup.
	ErrEmptyPolicy = errors.New("retention policy keeps nothing: set at least one of keep-last, keep-daily, keep-weekly, keep-monthly, keep-yearly")

	// ErrInvalidCount is returned by Policy.Validate when a count is below
	// -1; -1 (Unlimited) is the only negative value allowed.
	ErrInvalidCount = errors.New("invalid retention count: use 0 or more, or -1 for unlimited")
)
