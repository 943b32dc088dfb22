// Package backupcmd assembles `ceso backup`: create, list, verify, restore,
// delete and prune, one file a verb. Every verb first finishes what a crash
// may have left (temporary files, interrupted deletions) and says so.
package backupcmd
