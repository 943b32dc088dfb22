package ops

import "sort"

// registry is every operation ceso knows, with its class. An op that is not
// here is refused in every mode but unrestricted.
var registry = map[string]Class{
	"host.connect":      ClassRead,
	"vm.list":           ClassRead,
	"vm.info":           ClassRead,
	"vm.create":         ClassWrite,
	"vm.clone":          ClassWrite,
	"vm.power.on":       ClassWrite,
	"vm.power.off":      ClassWrite,
	"vm.power.shutdown": ClassWrite,
	"vm.power.reset":    ClassWrite,
	"vm.power.suspend":  ClassWrite,
	"vm.delete":         ClassDestructive,
	"backup.create":     ClassWrite,
	"backup.list":       ClassRead,
	"backup.verify":     ClassRead,
	"backup.restore":    ClassWrite,
	// restore --replace removes the existing VM once the restore succeeded.
	"backup.restore.replace": ClassDestructive,
	"backup.delete":          ClassDestructive,
	"backup.prune":           ClassDestructive,
}

// Lookup returns the class an op name is registered with.
func Lookup(name string) (Class, bool) {
	c, ok := registry[name]
	return c, ok
}

// Registered lists every registered op name, sorted.
func Registered() []string {
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
