// Package integration runs whole VM lifecycles: create from a template,
// clone, power, delete. By default it runs against the ESXi simulator; built
// with -tags=integration it runs against the real host named by ESXI_HOST,
// ESXI_USER, ESXI_PASSWORD and ESXI_THUMBPRINT (ESXI_TEMPLATE,
// ESXI_DATASTORE and ESXI_NETWORK are optional).
//
// It holds tests only and must not be imported.
package integration
