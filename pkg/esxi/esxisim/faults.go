package esxisim

import (
	"strings"
	"time"

	"github.com/vmware/govmomi/simulator"
	"github.com/vmware/govmomi/vim25/mo"
	"github.com/vmware/govmomi/vim25/types"
)

// FaultRule injects a fault (or a delay) on SOAP calls of one simulator.
type FaultRule struct {
	// Method is the SOAP method name, e.g. "PowerOnVM_Task"; "" or "*" match every method.
	Method string
	// ObjectName limits the rule to calls on the managed entity of that name
	// (a VM name, "datastore1", ...); "" matches any object.
	ObjectName string
	// Fault is answered on the call. When nil the rule only delays the call,
	// which then runs normally.
	Fault types.BaseMethodFault
	// Count is how many times the rule fires; 0 means always.
	Count int
	// Skip is how many matching calls pass untouched before the rule fires.
	Skip int
	// Delay is waited before the fault is answered (or the call runs).
	Delay time.Duration
}

type faultRule struct {
	FaultRule
	seen, fired int
}

type taskRule struct {
	method string
	fault  types.BaseMethodFault
	count  int
	fired  int
}

// AddFault adds a fault rule and returns a func that removes it. Rules are
// checked in the order they were added; the first that fires wins.
func (s *Simulator) AddFault(r FaultRule) (remove func()) {
	rule := &faultRule{FaultRule: r}
	s.mu.Lock()
	s.rules = append(s.rules, rule)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, x := range s.rules {
			if x == rule {
				s.rules = append(s.rules[:i:i], s.rules[i+1:]...)
				return
			}
		}
	}
}

// FailTask makes calls of method return a Task that ends in error with
// fault, as ESXi reports NoDiskSpace on CopyVirtualDisk_Task for example.
// Nothing is done on the host. count limits how many calls fail (0 = all).
// A method without the "_Task" suffix answers the fault on the call instead.
func (s *Simulator) FailTask(method string, fault types.BaseMethodFault, count int) (remove func()) {
	rule := &taskRule{method: method, fault: fault, count: count}
	s.mu.Lock()
	s.taskRules = append(s.taskRules, rule)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, x := range s.taskRules {
			if x == rule {
				s.taskRules = append(s.taskRules[:i:i], s.taskRules[i+1:]...)
				return
			}
		}
	}
}

// SetMethodDelay delays every call of method by d before it runs ("*" =
// every method, added to any per-method delay). d <= 0 removes the delay.
// Delays belong to this simulator only.
func (s *Simulator) SetMethodDelay(method string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d <= 0 {
		delete(s.delays, method)
		return
	}
	s.delays[method] = d
}

func (s *Simulator) methodDelay(method string) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.delays) == 0 {
		return 0
	}
	return s.delays[method] + s.delays["*"]
}

// matchRule returns the rule that fires for this call, if any.
func (s *Simulator) matchRule(ctx *simulator.Context, m *simulator.Method) *faultRule {
	s.mu.Lock()
	candidates := make([]*faultRule, 0, len(s.rules))
	for _, r := range s.rules {
		if r.Method == "" || r.Method == "*" || r.Method == m.Name {
			candidates = append(candidates, r)
		}
	}
	s.mu.Unlock()
	if len(candidates) == 0 {
		return nil
	}
	name := ""
	for _, r := range candidates {
		if r.ObjectName != "" && name == "" {
			name = entityName(ctx, m.This)
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range candidates {
		if r.ObjectName != "" && r.ObjectName != name {
			continue
		}
		if r.Count > 0 && r.fired >= r.Count {
			continue
		}
		r.seen++
		if r.seen <= r.Skip {
			continue
		}
		r.fired++
		return r
	}
	return nil
}

// matchTaskRule returns the fault of the task rule that fires, if any.
func (s *Simulator) matchTaskRule(method string) types.BaseMethodFault {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.taskRules {
		if r.method != method || (r.count > 0 && r.fired >= r.count) {
			continue
		}
		r.fired++
		return r.fault
	}
	return nil
}

// entityName reads the name of a managed entity under its lock.
func entityName(ctx *simulator.Context, ref types.ManagedObjectReference) string {
	obj := ctx.Map.Get(ref)
	e, ok := obj.(mo.Entity)
	if !ok {
		return ""
	}
	var name string
	ctx.WithLock(obj, func() { name = e.Entity().Name })
	return name
}

func isTaskMethod(method string) bool { return strings.HasSuffix(method, "_Task") }
