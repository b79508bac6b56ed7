#!/usr/bin/python3
# Runs many `ansible-inventory -i F --list` and `ansible P -i F --list-hosts` jobs in one Python process, with the same CLI classes the binaries run.
# Reads a JSON list of jobs on stdin, writes one JSON list of results on stdout.
import contextlib
import io
import json
import sys

from ansible.cli.adhoc import AdHocCLI
from ansible.cli.inventory import InventoryCLI
from ansible.errors import AnsibleError
from ansible.utils.context_objects import GlobalCLIArgs
from ansible.utils.display import Display

display = Display()


def pytype(v):
    # bool before int: a Python bool is an int
    for t, name in ((bool, 'bool'), (int, 'int'), (float, 'float'), (str, 'str'), (dict, 'dict'), ((list, tuple), 'list')):
        if isinstance(v, t):
            return name
    return 'null' if v is None else type(v).__name__


def run_cli(cls, args):
    """The CLI's exit code, stdout, stderr and error text, as cli_executor would give them (warnings are not deduplicated across jobs)."""
    GlobalCLIArgs._Singleton__instance = None  # each job parses its own command line
    display._warns = {}
    display._errors = {}
    out, err = io.StringIO(), io.StringIO()
    code, error, cli = 0, None, None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            cli = cls(args)
            code = cli.run() or 0
        except SystemExit as e:
            code = e.code or 0
        except AnsibleError as e:
            code, error = 1, str(e)
        except Exception as e:  # the binary's "Unexpected Exception"
            code, error = 250, '%s: %s' % (type(e).__name__, e)
    return cli, code, out.getvalue(), err.getvalue(), error


def list_job(job):
    cli, code, out, err, error = run_cli(InventoryCLI, ['ansible-inventory', '-i', job['file'], '--list'])
    res = {'code': code, 'stderr': err, 'error': error}
    if code == 0 and error is None:
        res['list'] = json.loads(out)
        res['types'] = {h.name: {k: pytype(v) for k, v in cli._get_host_variables(h).items()} for h in cli.inventory.get_hosts()}
    return res


def hosts_job(job):
    cli, code, out, err, error = run_cli(AdHocCLI, ['ansible', job['pattern'], '-i', job['file'], '--list-hosts'])
    res = {'code': code, 'stderr': err, 'error': error}
    if code == 0 and error is None:
        lines = out.splitlines()
        start = next((i for i, l in enumerate(lines) if l.startswith('  hosts (')), len(lines))
        res['hosts'] = [l.strip() for l in lines[start + 1:] if l.startswith('    ')]
    return res


jobs = json.load(sys.stdin)
json.dump([list_job(j) if j['kind'] == 'list' else hosts_job(j) for j in jobs], sys.stdout)
