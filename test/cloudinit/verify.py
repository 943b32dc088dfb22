#!/usr/bin/env python3
"""Read ceso's guestinfo keys with cloud-init's own VMware datasource.

Usage: verify.py KEYS.json [--netplan-dir DIR]

KEYS.json is a flat JSON object of guestinfo keys as ceso renders them
(`ceso cloudinit render --json`). The script answers the datasource's
guestinfo reads from that object instead of vmware-rpctool, then lets
cloud-init do what it does on first boot, without a VM:

  * DataSourceVMware.get_data() decodes metadata, user-data and vendordata
    (its decode(), load_json_or_yaml() and process_metadata());
  * the user-data goes through cloud-init's UserDataProcessor and its
    cloud-config part handler, is merged over an Ubuntu system config, and
    ug_util.normalize_users_groups() yields the users, as cc_users_groups
    sees them; keys are gathered the way cc_ssh and create_user apply them;
  * util.get_hostname_fqdn() yields the hostname and FQDN cc_set_hostname
    would set;
  * the cloud-config is checked against cloud-init's JSON schema;
  * with --netplan-dir, the network config is rendered by cloud-init's
    netplan renderer into DIR/etc/netplan/50-cloud-init.yaml, ready for
    `netplan generate --root-dir DIR`.

It prints one JSON object on stdout. Exit status: 0 when the datasource
found data, 2 when it did not (an undecodable key drops all data), 1 on a
usage or environment error.
"""

import argparse
import copy
import json
import os
import sys
import tempfile

# The system configuration of an Ubuntu cloud image (/etc/cloud/cloud.cfg),
# reduced to what decides users: the default user and the top-level users.
UBUNTU_SYSTEM_CFG = {
    "users": ["default"],
    "disable_root": True,
    "system_info": {
        "distro": "ubuntu",
        "default_user": {
            "name": "ubuntu",
            "lock_passwd": True,
            "gecos": "Ubuntu",
            "groups": ["adm", "cdrom", "dip", "lxd", "sudo"],
            "sudo": ["ALL=(ALL) NOPASSWD:ALL"],
            "shell": "/bin/bash",
        },
        "network": {"renderers": ["netplan", "eni", "sysconfig"]},
        "paths": {},
    },
}


# Guestinfo keys the datasource wrote back (its "redact" feature).
WRITES = []


def install_fake_guestinfo(dsv, keys, writes):
    """Make the datasource read guestinfo from keys, as vmware-rpctool
    would answer: a missing key is no value."""

    def get_value(key, *args, **kwargs):
        name = dsv.get_guestinfo_key_name(key)
        if name not in keys:
            return None
        return dsv.handle_returned_guestinfo_val(key, keys[name])

    def set_value(key, value, *args, **kwargs):
        writes.append([dsv.get_guestinfo_key_name(key), value])
        return True

    dsv.guestinfo_get_value = get_value
    dsv.guestinfo_set_value = set_value
    dsv.dmi.read_dmi_data = lambda key: "VMware Virtual Platform"
    if hasattr(dsv, "is_vmware_platform"):
        dsv.is_vmware_platform = lambda: True
    dsv.which = lambda prog: "/usr/bin/" + prog if prog == "vmware-rpctool" else None
    os.environ.pop(dsv.VMX_GUESTINFO, None)


def cloud_config_of(ds, paths):
    """Merge the user-data's cloud-config parts with cloud-init's handler."""
    from cloudinit import handlers, util
    from cloudinit.handlers.cloud_config import CloudConfigPartHandler

    handler = CloudConfigPartHandler(paths)
    handler.handle_part(None, handlers.CONTENT_START, None, None, None, None)
    msg = ds.get_userdata()
    types = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        types.append(ctype)
        if ctype not in ("text/cloud-config", "text/cloud-config-jsonp"):
            continue
        payload = util.fully_decoded_payload(part)
        handler.handle_part(
            None, ctype, part.get_filename() or "part-001", payload, None, dict(part)
        )
    return handler.cloud_buf or {}, types


def user_keys(users, default_name, cfg, ds):
    """Keys per user as cc_ssh (default user) and create_user apply them."""
    out = {}
    for name, ucfg in users.items():
        keys = list(ucfg.get("ssh_authorized_keys") or [])
        if name == default_name:
            if cfg.get("allow_public_ssh_keys", True):
                keys = list(ds.get_public_ssh_keys() or []) + keys
            keys += list(cfg.get("ssh_authorized_keys") or [])
        seen, uniq = set(), []
        for k in keys:
            k = k.strip()
            if k and k not in seen:
                seen.add(k)
                uniq.append(k)
        out[name] = uniq
    return out


def groups_of(ucfg):
    groups = ucfg.get("groups") or []
    if isinstance(groups, str):
        groups = groups.split(",")
    if isinstance(groups, dict):
        groups = list(groups.keys())
    return [g.strip() for g in groups if g.strip()]


def schema_errors(cfg):
    try:
        from cloudinit.config.schema import (
            SchemaValidationError,
            get_schema,
            validate_cloudconfig_schema,
        )
    except ImportError:
        return ["cloud-init has no schema module"]
    try:
        validate_cloudconfig_schema(cfg, get_schema(), strict=True)
    except SchemaValidationError as err:
        return [str(err)]
    return []


def render_netplan(net_cfg, root):
    from cloudinit.net import netplan, network_state

    state = network_state.parse_net_config_data(net_cfg)
    renderer = netplan.Renderer(
        {"netplan_path": "etc/netplan/50-cloud-init.yaml", "postcmds": False}
    )
    renderer.render_network_state(state, target=root)
    with open(os.path.join(root, "etc/netplan/50-cloud-init.yaml")) as f:
        return f.read()


def verify(keys, netplan_dir):
    import cloudinit.sources.DataSourceVMware as dsv

    install_fake_guestinfo(dsv, keys, WRITES)
    with tempfile.TemporaryDirectory(prefix="ceso-verify-") as work:
        return read_guestinfo(dsv, work, netplan_dir)


def read_guestinfo(dsv, work, netplan_dir):
    from cloudinit import distros, helpers, util
    from cloudinit.cloud import Cloud
    from cloudinit.distros import ug_util

    paths = helpers.Paths({"cloud_dir": work + "/cloud", "run_dir": work + "/run"})
    sys_cfg = json.loads(json.dumps(UBUNTU_SYSTEM_CFG))
    distro = distros.fetch("ubuntu")("ubuntu", sys_cfg["system_info"], paths)
    ds = dsv.DataSourceVMware(sys_cfg, distro, paths)
    if hasattr(ds, "vmware_rpctool"):
        ds.vmware_rpctool = "/usr/bin/vmware-rpctool"
    try:
        found = ds.get_data()
    except Exception as err:  # the datasource fails as a whole
        return {"found": False, "error": "%s: %s" % (type(err).__name__, err)}, 2
    if not found:
        return {"found": False, "error": "datasource found no data"}, 2

    # Read before network_config: without a network key that property
    # stores a fallback config generated from this machine's interfaces.
    from_metadata = "network" in (ds.metadata or {})
    network = ds.network_config if from_metadata else None
    ud_cfg, part_types = cloud_config_of(ds, paths)
    pristine = copy.deepcopy(ud_cfg)
    cfg = util.mergemanydict([ud_cfg, sys_cfg])
    users, _groups = ug_util.normalize_users_groups(cfg, distro)
    default_name, _ = ug_util.extract_default(users)
    cloud = Cloud(ds, paths, cfg, distro, None)
    host = util.get_hostname_fqdn(cfg, cloud)
    keys_by_user = user_keys(users, default_name, cfg, ds)
    result = {
        "found": True,
        "instance_id": ds.get_instance_id(),
        "hostname": host[0],
        "fqdn": host[1],
        "network": network,
        "network_from_metadata": from_metadata,
        "userdata_raw": ds.get_userdata_raw(),
        "userdata_part_types": part_types,
        "cloud_config": pristine,
        "schema_errors": schema_errors(copy.deepcopy(pristine)),
        "default_user": default_name,
        "users": {
            name: {
                "default": name == default_name,
                "groups": groups_of(u),
                "sudo": u.get("sudo"),
                "shell": u.get("shell"),
                "lock_passwd": u.get("lock_passwd", True),
                "passwd": u.get("passwd"),
                "ssh_keys": keys_by_user[name],
            }
            for name, u in users.items()
        },
        "guestinfo_writes": WRITES,
    }
    if netplan_dir and network is not None:
        result["netplan_yaml"] = render_netplan(network, netplan_dir)
    return result, 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("keys", help="JSON object of guestinfo keys, or - for stdin")
    parser.add_argument("--netplan-dir", help="render the netplan config under DIR")
    args = parser.parse_args()
    try:
        src = sys.stdin if args.keys == "-" else open(args.keys)
        with src:
            keys = json.load(src)
    except (OSError, ValueError) as err:
        print("verify.py: reading keys: %s" % err, file=sys.stderr)
        return 1
    try:
        import cloudinit.sources.DataSourceVMware  # noqa: F401
    except ImportError as err:
        print("verify.py: cloud-init is not installed: %s" % err, file=sys.stderr)
        return 1
    result, code = verify(keys, args.netplan_dir)
    json.dump(result, sys.stdout, indent=2, sort_keys=True, default=str)
    sys.stdout.write("\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
