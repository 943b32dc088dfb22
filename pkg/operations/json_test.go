package operations

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/jsonschema-go/jsonschema"
)

// synonyms are field names that say what a standard name already says:
// every command calls the moment a thing happened "timestamp".
var synonyms = map[string]string{
	"time": "timestamp", "date": "timestamp", "created": "timestamp", "created_at": "timestamp", "taken": "timestamp",
	"vm": "vm_name", "vmname": "vm_name",
}

// TestResultFieldsAreAlwaysPresent walks every operation's output schema:
// every field of every object is required (present, null when empty,
// never omitted), and no field uses a synonym of a standard name.
func TestResultFieldsAreAlwaysPresent(t *testing.T) {
	for _, d := range Catalog() {
		out, err := d.OutputSchema()
		if err != nil {
			t.Fatal(err)
		}
		walkSchema(out, d.Name(), func(path string, s *jsonschema.Schema) {
			required := map[string]bool{}
			for _, r := range s.Required {
				required[r] = true
			}
			var names []string
			for name := range s.Properties {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				if !required[name] {
					t.Errorf("%s.%s may be omitted (omitempty or omitzero): results show every field", path, name)
				}
				if std, ok := synonyms[name]; ok {
					t.Errorf("%s.%s: call it %q, as the other commands do", path, name, std)
				}
			}
		})
	}
}

func walkSchema(s *jsonschema.Schema, path string, visit func(string, *jsonschema.Schema)) {
	if s == nil {
		return
	}
	if len(s.Properties) > 0 {
		visit(path, s)
	}
	for name, p := range s.Properties {
		walkSchema(p, path+"."+name, visit)
	}
	walkSchema(s.Items, path+"[]", visit)
	walkSchema(s.AdditionalProperties, path+"{}", visit)
	for _, sub := range append(append(append([]*jsonschema.Schema{}, s.AnyOf...), s.OneOf...), s.AllOf...) {
		walkSchema(sub, path, visit)
	}
	for name, def := range s.Defs {
		walkSchema(def, path+"#"+name, visit)
	}
}

func TestJSONIsDocumented(t *testing.T) {
	doc := readDoc(t)
	for _, d := range Catalog() {
		if !strings.Contains(doc, "`"+d.Name()+"`") {
			t.Errorf("docs/json.md does not document %s", d.Name())
		}
		out, _ := d.OutputSchema()
		walkSchema(out, d.Name(), func(path string, s *jsonschema.Schema) {
			for name := range s.Properties {
				if !strings.Contains(doc, "`"+name+"`") {
					t.Errorf("docs/json.md does not name the field %s.%s", path, name)
				}
			}
		})
	}
}

func readDoc(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", "docs", "json.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
