#!/usr/bin/env bash
# Installs the Debian packages the lab and the integration tests need, when some are missing (root only).
set -euo pipefail
need=()
for pair in sshd:openssh-server ssh:openssh-client socat:socat redis-server:redis-server redis-cli:redis-tools \
            nginx:nginx sshfs:sshfs ip:iproute2 iptables:iptables openssl:openssl curl:curl sudo:sudo \
            nsenter:util-linux ps:procps \
            ansible-playbook:ansible-core; do
  bin=${pair%%:*} pkg=${pair#*:}
  command -v "$bin" >/dev/null 2>&1 || [ -x "/usr/sbin/$bin" ] || need+=("$pkg")
done
# The differential tests read ansible-playbook's results through the json stdout callback, which
# ansible-core does not ship: Debian's `ansible` package brings it (collection ansible.posix).
[ -f /usr/lib/python3/dist-packages/ansible_collections/ansible/posix/plugins/callback/json.py ] || need+=(ansible)
# Ansible's password_hash uses passlib when it is there (as its docs advise), else crypt with other defaults.
/usr/bin/python3 -c 'import passlib' >/dev/null 2>&1 || need+=(python3-passlib)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing packages: ${need[*]} (run as root, or: apt-get install ${need[*]})" >&2
  exit 0
fi
echo "installing: ${need[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Debian would start the packaged services on install; the lab and tests start their own.
made_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends ca-certificates "${need[@]}" >/dev/null
if [ "$made_policy" = 1 ]; then rm -f /usr/sbin/policy-rc.d; fi
