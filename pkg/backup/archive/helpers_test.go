package archive

import "encoding/json"

// jsonOf marshals v without validation, to feed the parsers bad input.
func jsonOf(v any) ([]byte, error) { return json.Marshal(v) }
