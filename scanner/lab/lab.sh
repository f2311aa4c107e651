#!/usr/bin/env bash
# winreach lab: real Debian daemons in network namespaces on one bridge.
#
#   lab.sh install           apt-get install whatever packages.txt lists and is missing
#   lab.sh up                build the lab (installs first if needed), wait until ready
#   lab.sh down              stop every lab process, delete namespaces and temp files
#   lab.sh status            show what is up
#   lab.sh exec HOST CMD...  run CMD in the namespace of HOST (client, dc, wr-dc, ...)
#
# Safety: every address used is in 198.18.0.0/15 (198.18.1-4.0/24) or
# fd77:7272:1::/64, and
# every address, route, link and process lives in a wr-* namespace; nothing
# is added to the root namespace. See README.md.
set -euo pipefail
umask 022
# Pass no inherited descriptor on to the daemons: a caller's
# `flock /run/winreach-lab-session.lock lab.sh up` hands its lock's
# descriptor down, and daemons holding it would keep the session lock
# taken for as long as they live (every other lab user then waits
# forever). The caller's own copy keeps the lock held while lab.sh runs.
for _fd in /proc/$$/fd/*; do
	_fd=${_fd##*/}
	if [ "$_fd" -gt 2 ] && [ "$_fd" != 255 ]; then eval "exec $_fd>&-"; fi
done
unset _fd

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN_DIR=/run/winreach-lab
STATE=$RUN_DIR/state
LOCK=$RUN_DIR/lock
CACHE_DIR=${WINREACH_LAB_CACHE:-/var/cache/winreach-lab}
PREFIX4=198.18.1
PREFIX6=fd77:7272:1:
BRNS=wr-br
# name:last-octet; the IPv6 address is fd77:7272:1::<octet in decimal digits>.
HOSTS=(
	client:2
	dc:10
	dns2:12
	skew:15
	mail:20
	rdp:30
	vpn:40
	dhcp:50
	legacy:55
	drop:60
	reject:61
	reset:62
	closed:70
)
# The WAN (see README.md, "The far site"): the router wr-wan on the LAN at
# .1, and per far site name:third-octet:one-way-delay, a namespace wr-<name>
# behind a TUN link that cmd/winreach-wanrelay delays. Far hosts are
# 198.18.<octet>.<host> on the site's lo.
WAN_OCTET=1
FIREWALLED24=198.18.4.0/24
FAR_SITES=(
	far:2:75ms
	sat:3:300ms
)
# Far hosts per site: last octet and role.
FAR_HOSTS=(
	10:fs
	11:idle
)
ALL_NS=("$BRNS")
for h in "${HOSTS[@]}"; do ALL_NS+=("wr-${h%%:*}"); done
ALL_NS+=(wr-wan)
for h in "${FAR_SITES[@]}"; do ALL_NS+=("wr-${h%%:*}"); done
# Bump when the provisioning command or the cached tree layout changes.
DC_CACHE_REV=1
READY_TIMEOUT=${WINREACH_LAB_READY_TIMEOUT:-60}

T=""          # the lab's private temp folder (from the state file)
UP_DONE=0

log() { printf '[lab] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root"; }

octet_of() { local h; for h in "${HOSTS[@]}"; do [ "${h%%:*}" = "$1" ] && { echo "${h##*:}"; return; }; done; return 1; }
ip4() { echo "$PREFIX4.$(octet_of "$1")"; }
ip6() { echo "$PREFIX6:$(octet_of "$1")"; }

lock() {
	mkdir -p "$RUN_DIR"
	exec 9>"$LOCK"
	flock -w 300 9 || die "another lab.sh holds $LOCK"
}

load_state() {
	T=""
	[ -f "$STATE" ] || return 1
	T=$(sed -n 's/^TMP=//p' "$STATE")
	case "$T" in /tmp/winreach-lab.*) [ -d "$T" ] || T="" ;; *) T="" ;; esac
	[ -n "$T" ]
}

# ---------------------------------------------------------------- install
missing_packages() {
	local p
	sed -e 's/#.*//' -e 's/[[:space:]]//g' "$LAB_DIR/packages.txt" | grep -v '^$' | while read -r p; do
		dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null | grep -qx installed || echo "$p"
	done
}

# chrony serves the lab's NTP (wr-dc, UDP 123). Installing the package
# would remove systemd-timesyncd (both provide time-daemon) and touch the
# machine's own time service, so its .deb is only unpacked into the cache
# and chronyd runs from there, with -x: it never sets the clock.
CHRONYD=$CACHE_DIR/chrony/usr/sbin/chronyd
chrony_unpacked() { [ -x "$CHRONYD" ]; }
unpack_chrony() {
	chrony_unpacked && return 0
	local tmp
	tmp=$(mktemp -d /tmp/winreach-lab-chrony.XXXXXX)
	log "unpacking chrony (not installed: see lab.sh) into $CACHE_DIR/chrony"
	(cd "$tmp" && apt-get download -q chrony >/dev/null && mkdir -p "$CACHE_DIR" &&
		dpkg -x chrony_*.deb "$CACHE_DIR/chrony.tmp" && rm -rf "$CACHE_DIR/chrony" &&
		mv "$CACHE_DIR/chrony.tmp" "$CACHE_DIR/chrony") || { rm -rf "$tmp" "$CACHE_DIR/chrony.tmp"; die "could not unpack chrony"; }
	rm -rf "$tmp"
}

cmd_install() {
	need_root
	local missing
	unpack_chrony
	missing=$(missing_packages | tr '\n' ' ')
	if [ -z "${missing// /}" ] && ! dpkg --audit 2>/dev/null | grep -q .; then
		log "all packages present"
		return 0
	fi
	log "installing: $missing"
	debconf-set-selections <<-'EOF'
	postfix postfix/main_mailer_type select Local only
	postfix postfix/mailname string mail.lab.test
	postfix postfix/destinations string mail.lab.test, localhost
	postfix postfix/protocols select all
	krb5-config krb5-config/default_realm string LAB.TEST
	krb5-config krb5-config/add_servers_realm string LAB.TEST
	krb5-config krb5-config/kerberos_servers string
	krb5-config krb5-config/admin_server string
	samba-common samba-common/dhcp boolean false
	dovecot-core dovecot-core/create-ssl-cert boolean true
	dovecot-core dovecot-core/ssl-cert-name string localhost
	EOF
	# Keep postinst scripts from starting system daemons: invoke-rc.d asks
	# policy-rc.d, and 101 means "action forbidden".
	local prc=/usr/sbin/policy-rc.d backup="" innconf=""
	if [ -e "$prc" ]; then backup=$(mktemp /tmp/winreach-lab-policy-rc.d.XXXXXX); cp -a "$prc" "$backup"; fi
	# Put policy-rc.d back however the install ends: a policy-rc.d left
	# behind would forbid every service start on this machine.
	install_cleanup() {
		if [ -n "$backup" ]; then cp -a "$backup" "$prc"; rm -f "$backup"; else rm -f "$prc"; fi
		[ -z "$innconf" ] || rm -f "$innconf"
	}
	trap 'install_cleanup; exit 130' INT TERM
	printf '#!/bin/sh\n# winreach lab install: no service starts\nexit 101\n' >"$prc"
	chmod 755 "$prc"
	# inn2's postinst runs innconfval, which needs a domain in inn.conf and
	# cannot guess one on a machine whose hostname has none ("must set mta",
	# "must set hismethod": every later key fails once the domain lookup has).
	# The package's own inn.conf only exists once inn2 is unpacked, so: unpack
	# everything, then configure with INNCONF naming a copy of that inn.conf
	# plus "domain: lab.test". /etc/news itself is left as the package ships it.
	innconf=$(mktemp /tmp/winreach-lab-inn.conf.XXXXXX)
	local rc=0
	(
		export DEBIAN_FRONTEND=noninteractive
		if [ -z "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -newer "$LAB_DIR/packages.txt" 2>/dev/null | head -1)" ] || [ "${WINREACH_LAB_APT_UPDATE:-}" = 1 ]; then
			apt-get update -q
		fi
		apt-get install -y -q --no-install-recommends --download-only $missing
		# Unpack without configuring (a half-installed inn2 from an earlier
		# failed run is repaired by the same path).
		apt-get install -y -q --no-install-recommends $missing 2>&1 | sed 's/^/    /' || true
		if [ -f /etc/news/inn.conf ]; then
			{ grep -v '^domain:' /etc/news/inn.conf; echo "domain: lab.test"; } >"$innconf"
			export INNCONF="$innconf"
		fi
		dpkg --configure -a
		apt-get install -y -q --no-install-recommends $missing
	) || rc=$?
	install_cleanup
	trap - INT TERM
	[ "$rc" -eq 0 ] || die "apt-get install failed ($rc)"
	stop_root_daemons
	log "packages installed"
}

# Debian's postinst scripts may have started daemons in the root namespace
# (policy-rc.d should prevent it). Stop the ones from our packages, found by
# their pidfiles, and say so.
stop_root_daemons() {
	local f pid
	for f in /run/samba/samba.pid /run/samba/smbd.pid /run/samba/nmbd.pid /run/samba/winbindd.pid \
		/var/spool/postfix/pid/master.pid /run/dovecot/master.pid /run/news/innd.pid \
		/run/xrdp/xrdp.pid /run/xrdp/xrdp-sesman.pid /run/charon.pid /run/starter.charon.pid \
		/run/pptpd.pid /run/dnsmasq/dnsmasq.pid /run/nginx.pid; do
		[ -f "$f" ] || continue
		pid=$(tr -dc 0-9 <"$f")
		[ -n "$pid" ] && [ -d "/proc/$pid" ] || continue
		[ -z "$(ip netns identify "$pid" 2>/dev/null)" ] || continue
		log "stopping root-namespace daemon $pid from $f"
		kill_pid "$pid"
	done
}

# ---------------------------------------------------------------- processes
# alive PID: the process exists and is not a zombie (lab daemons outlive
# lab.sh, so their parent is init, which reaps them when it gets to it).
alive() {
	local st
	st=$(sed -n 's/^[0-9]* (.*) \(.\) .*/\1/p' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

kill_pids() { # PID...: TERM all, wait up to 10 s, then KILL the rest
	local pid i left
	[ $# -gt 0 ] || return 0
	kill -TERM "$@" 2>/dev/null || true
	for i in $(seq 100); do
		left=""
		for pid in "$@"; do alive "$pid" && left+=" $pid"; done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	log "killing stubborn processes:$left"
	kill -KILL $left 2>/dev/null || true
	for i in $(seq 30); do
		left=""
		for pid in "$@"; do alive "$pid" && left+=" $pid"; done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	log "warning: processes still alive:$left"
}
kill_pid() { kill_pids "$1"; }

# start NAME NS CMD...: run CMD (which stays in the foreground) in NS with
# its own UTS namespace (hostname <host>.lab.test) and record its PID.
start() {
	local name=$1 ns=$2; shift 2
	local hn=${ns#wr-}.lab.test
	[ "$ns" = wr-dc ] && hn=dc1.lab.test
	# The daemon must not inherit descriptors above 2: `flock LOCK lab.sh up`
	# runs lab.sh with the lock open on fd 3, and a daemon holding it would
	# keep the lab lock taken for as long as the lab is up.
	# It runs in a session of its own (setsid: this background subshell is
	# no group leader, so setsid execs in place and the PID stays the one
	# recorded): smbd --no-process-group ends with kill(0, SIGTERM), which
	# would otherwise reach the process group of whoever ran `lab.sh up`,
	# make and go test included.
	(
		for fd in /proc/$BASHPID/fd/*; do
			fd=${fd##*/}
			[ "$fd" -gt 2 ] 2>/dev/null && eval "exec $fd>&-"
		done
		exec setsid ip netns exec "$ns" unshare --uts sh -c 'hostname "$0"; exec "$@"' "$hn" "$@" \
			</dev/null >>"$T/log/$name.out" 2>&1
	) &
	echo $! >"$T/pids/$name.pid"
}

# start_privrun NAME NS SUBDIR DIR CMD...: like start, but CMD sees a private
# tmpfs on /run with DIR bound at /run/SUBDIR (SUBDIR "." binds DIR at /run).
# Daemons with compiled-in /run paths (Samba's winbindd pipe, xrdp, charon)
# then neither clash with nor talk to other daemons of the machine.
start_privrun() {
	local name=$1 ns=$2 sub=$3 dir=$4; shift 4
	start "$name" "$ns" sh -c 'mount -t tmpfs -o mode=755,size=16m winreach-lab /run &&
		mkdir -p "/run/$1" && mount --bind "$2" "/run/$1" && shift 2 && exec "$@"' sh "$sub" "$dir" "$@"
}

# pidfile PIDs of this lab, only if they still live in a wr-* namespace.
lab_pids() {
	local f pid ns
	[ -n "$T" ] && [ -d "$T/pids" ] || return 0
	for f in "$T"/pids/*.pid; do
		[ -f "$f" ] || continue
		pid=$(tr -dc 0-9 <"$f")
		[ -n "$pid" ] && alive "$pid" || continue
		ns=$(ip netns identify "$pid" 2>/dev/null || true)
		case "$ns" in wr-*) echo "$pid" ;; esac
	done
}

# ---------------------------------------------------------------- network
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

net_up() {
	local h name n ns
	mkdir -p /etc/netns
	ip netns add "$BRNS"
	nsx "$BRNS" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
	ip -n "$BRNS" link set lo up
	ip -n "$BRNS" link add br0 type bridge stp_state 0
	ip -n "$BRNS" link set br0 up
	for h in "${HOSTS[@]}"; do
		name=${h%%:*} n=${h##*:}
		lan_host "$name" "$n"
	done
}

# lan_host NAME OCTET: namespace wr-NAME on the bridge at .OCTET.
lan_host() {
	local name=$1 n=$2 ns=wr-$1
	mkdir -p "/etc/netns/$ns"
	printf 'search lab.test\nnameserver %s.10\noptions timeout:1 attempts:1\n' "$PREFIX4" >"/etc/netns/$ns/resolv.conf"
	hosts_file "$name" >"/etc/netns/$ns/hosts"
	ip netns add "$ns"
	nsx "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
		net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
	ip -n "$ns" link set lo up
	# Created inside $ns; the peer goes straight into the bridge namespace.
	ip -n "$ns" link add eth0 type veth peer name "p-$name" netns "$BRNS"
	ip -n "$BRNS" link set "p-$name" master br0 up
	ip -n "$ns" addr add "$PREFIX4.$n/24" dev eth0
	ip -n "$ns" addr add "$PREFIX6:$n/64" dev eth0 nodad
	ip -n "$ns" link set eth0 up
}

hosts_file() {
	local h name n
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
	for h in "${HOSTS[@]}"; do
		name=${h%%:*} n=${h##*:}
		[ "$name" = dc ] && { printf '%s.%s\tdc1.lab.test dc1\n' "$PREFIX4" "$n"; continue; }
		printf '%s.%s\t%s.lab.test %s\n' "$PREFIX4" "$n" "$name" "$name"
	done
}

firewalls() {
	# wr-drop: silently drop everything but neighbour discovery (ARP is not
	# seen by the inet family and passes).
	nsx wr-drop nft -f - <<-'EOF'
	table inet wrlab {
		chain input {
			type filter hook input priority 0; policy drop;
			iif "lo" accept
			icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept
		}
	}
	EOF
	# Every host but wr-closed answers every probe: no ICMP rate limit there.
	# wr-closed keeps the kernel default (1 ICMP error per second per peer,
	# burst 6) on purpose, so scanners meet a rate-limited host.
	local ns h
	for h in "${HOSTS[@]}"; do
		ns=wr-${h%%:*}
		[ "$ns" = wr-closed ] && continue
		nsx "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
	done
	# wr-reject: everything (all protocols) gets ICMP administratively prohibited.
	nsx wr-reject nft -f - <<-'EOF'
	table inet wrlab {
		chain input {
			type filter hook input priority 0; policy accept;
			iif "lo" accept
			icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept
			meta nfproto ipv4 reject with icmp type admin-prohibited
			meta nfproto ipv6 reject with icmpv6 type admin-prohibited
		}
	}
	EOF
	# wr-reset: TCP -> RST, UDP -> port unreachable, other IPv4 protocols ->
	# protocol unreachable, other IPv6 next headers -> admin prohibited
	# (nftables cannot send ICMPv6 parameter problem / unknown next header).
	nsx wr-reset nft -f - <<-'EOF'
	table inet wrlab {
		chain input {
			type filter hook input priority 0; policy accept;
			iif "lo" accept
			icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept
			meta l4proto tcp reject with tcp reset
			meta nfproto ipv4 meta l4proto udp reject with icmp type port-unreachable
			meta nfproto ipv6 meta l4proto udp reject with icmpv6 type port-unreachable
			meta nfproto ipv4 reject with icmp type prot-unreachable
			meta nfproto ipv6 reject with icmpv6 type admin-prohibited
		}
	}
	EOF
}

# ---------------------------------------------------------------- TLS
tls_cert() { # NAME CN: cached self-signed cert -> $T/tls/NAME.{crt,key}
	local name=$1 cn=$2 c=$CACHE_DIR/tls
	mkdir -p "$c" "$T/tls"
	if [ ! -s "$c/$name.crt" ] || [ ! -s "$c/$name.key" ]; then
		openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/O=winreach lab/CN=$cn" \
			-addext "subjectAltName=DNS:$cn" -keyout "$c/$name.key.tmp" -out "$c/$name.crt.tmp" 2>/dev/null
		mv "$c/$name.key.tmp" "$c/$name.key"; mv "$c/$name.crt.tmp" "$c/$name.crt"
	fi
	cp "$c/$name.crt" "$c/$name.key" "$T/tls/"
	chmod 644 "$T/tls/$name.crt"; chmod 600 "$T/tls/$name.key"
}

# ---------------------------------------------------------------- wr-dc
dc_cache() { echo "$CACHE_DIR/dc-samba-$(samba -V | awk '{print $2}')-r$DC_CACHE_REV"; }

dc_provision() { # fills the cache once per samba version
	local cache tmp
	cache=$(dc_cache)
	[ -f "$cache/.complete" ] && return 0
	log "provisioning the Samba AD DC (cached in $cache)"
	mkdir -p "$CACHE_DIR"
	tmp=$(mktemp -d "$CACHE_DIR/.prov.XXXXXX")
	# An empty smb.conf keeps /etc/samba/smb.conf (and the machine's resolver
	# as DNS forwarder) out of the provisioned tree; lab.sh writes smb.conf.
	mkdir -p "$tmp/etc"; : >"$tmp/etc/empty.conf"
	if ! nsx wr-dc samba-tool domain provision -s "$tmp/etc/empty.conf" --use-rfc2307 \
		--realm=LAB.TEST --domain=LAB --server-role=dc --dns-backend=SAMBA_INTERNAL \
		--host-name=dc1 --host-ip="$(ip4 dc)" --host-ip6="$(ip6 dc)" \
		--adminpass='Lab-Admin-Pass-1' --targetdir="$tmp" \
		--option="dns forwarder = $(ip4 dc)" >"$T/log/dc-provision.log" 2>&1; then
		rm -rf "$tmp"
		die "samba-tool domain provision failed, see $T/log/dc-provision.log"
	fi
	rm -f "$tmp/etc/smb.conf" "$tmp/etc/empty.conf"
	# Samba's TLS key, made here so the first start does not have to.
	mkdir -p "$tmp/private/tls"
	openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/O=winreach lab/CN=dc1.lab.test" \
		-addext "subjectAltName=DNS:dc1.lab.test,DNS:lab.test" \
		-keyout "$tmp/private/tls/key.pem" -out "$tmp/private/tls/cert.pem" 2>/dev/null
	chmod 600 "$tmp/private/tls/key.pem"
	cp "$tmp/private/tls/cert.pem" "$tmp/private/tls/ca.pem"
	touch "$tmp/.complete"
	rm -rf "$cache"
	mv "$tmp" "$cache"
}

dc_up() {
	dc_provision
	dc_tree "$T/dc" samba "wins support = yes" "-dnsupdate"
	start_privrun samba wr-dc samba "$T/dc/run" samba --foreground --no-process-group -s "$T/dc/etc/smb.conf"
	ntp_up
}

# dc_tree DIR LOG NETBIOS SERVICES: a copy of the provisioned DC1 tree in
# DIR with its smb.conf: NETBIOS is the line for NetBIOS ("wins support =
# yes", or "disable netbios = yes" for a second copy on the segment),
# SERVICES the "server services" changes, LOG the log file's name.
dc_tree() {
	local d=$1 log=$2 netbios=$3 services=$4
	cp -a "$(dc_cache)" "$d"
	mkdir -p "$d/etc" "$d/run/ncalrpc" "$d/run/winbindd" "$d/run/ntp_signd" "$d/cache"
	chmod 750 "$d/run/ntp_signd"
	cat >"$d/etc/smb.conf" <<-EOF
	[global]
		netbios name = DC1
		workgroup = LAB
		realm = LAB.TEST
		server role = active directory domain controller
		idmap_ldb:use rfc2307 = yes
		interfaces = lo eth0
		bind interfaces only = yes
		$netbios
		dns forwarder =
		server services = $services
		private dir = $d/private
		binddns dir = $d/bind-dns
		lock directory = $d
		state directory = $d/state
		cache directory = $d/cache
		pid directory = $d/run
		ncalrpc dir = $d/run/ncalrpc
		winbindd socket directory = $d/run/winbindd
		ntp signd socket directory = $d/run/ntp_signd
		log file = $T/log/$log.log
		logging = file
		log level = 1
		max log size = 0
		panic action =
		tls enabled = yes
		tls keyfile = $d/private/tls/key.pem
		tls certfile = $d/private/tls/cert.pem
		tls cafile = $d/private/tls/ca.pem
		load printers = no
		printcap name = /dev/null
		disable spoolss = yes
	[sysvol]
		path = $d/state/sysvol
		read only = No
	[netlogon]
		path = $d/state/sysvol/lab.test/scripts
		read only = No
	EOF
}

# W32Time's stand-in on the DC: chronyd serving NTP on UDP 123 from its
# local clock (stratum 8), -x so it never disciplines the machine's clock,
# no command port, as root (the unpacked package made no _chrony user).
ntp_up() {
	local d=$T/ntp
	mkdir -p "$d"
	cat >"$d/chrony.conf" <<-EOF
	local stratum 8
	allow all
	cmdport 0
	bindcmdaddress /
	pidfile $d/chronyd.pid
	EOF
	start chronyd wr-dc "$CHRONYD" -x -d -u root -f "$d/chrony.conf"
}

# ---------------------------------------------------------------- wr-mail
mail_up() {
	local d=$T/mail
	mkdir -p "$d"
	tls_cert mail mail.lab.test
	postfix_up "$d"
	dovecot_up "$d/dovecot"
	inn_up "$d/inn"
	nginx_up "$d/nginx"
}

# A TLS web server that is not Exchange, where an Exchange server would
# publish OWA and EWS: nginx with the host's self-signed certificate.
nginx_up() {
	local d=$1
	mkdir -p "$d/www" "$d/tmp"
	echo "winreach lab" >"$d/www/index.html"
	cat >"$d/nginx.conf" <<-EOF
	daemon off;
	user www-data;
	worker_processes 1;
	pid $d/nginx.pid;
	error_log $T/log/nginx.log;
	events { worker_connections 64; }
	http {
		access_log off;
		client_body_temp_path $d/tmp/body;
		proxy_temp_path $d/tmp/proxy;
		fastcgi_temp_path $d/tmp/fastcgi;
		uwsgi_temp_path $d/tmp/uwsgi;
		scgi_temp_path $d/tmp/scgi;
		server {
			listen 443 ssl;
			listen [::]:443 ssl;
			server_name mail.lab.test;
			ssl_certificate $T/tls/mail.crt;
			ssl_certificate_key $T/tls/mail.key;
			root $d/www;
		}
	}
	EOF
	start nginx wr-mail nginx -c "$d/nginx.conf" -e "$T/log/nginx.log"
}

postfix_up() {
	local c=$1/postfix q=$1/postfix-spool dd=$1/postfix-data
	mkdir -p "$c" "$q" "$dd"
	chown postfix:postfix "$dd"
	cat >"$c/main.cf" <<-EOF
	compatibility_level = 3.6
	queue_directory = $q
	data_directory = $dd
	myhostname = mail.lab.test
	mydomain = lab.test
	myorigin = \$mydomain
	mydestination = \$myhostname, localhost, \$mydomain
	inet_interfaces = all
	inet_protocols = all
	mynetworks = 127.0.0.0/8 [::1]/128 $PREFIX4.0/24 [$PREFIX6:]/64
	smtpd_banner = \$myhostname ESMTP Postfix (winreach lab)
	maillog_file_prefixes = $T/log
	maillog_file = $T/log/postfix.log
	alias_maps =
	alias_database =
	local_recipient_maps =
	# nothing ever leaves the lab
	relayhost =
	default_transport = error:the winreach lab has no outside mail
	relay_transport = error:the winreach lab has no outside mail
	smtputf8_enable = no
	biff = no
	smtpd_tls_cert_file = $T/tls/mail.crt
	smtpd_tls_key_file = $T/tls/mail.key
	smtpd_tls_security_level = may
	EOF
	cat >"$c/master.cf" <<-'EOF'
	smtp      inet  n       -       n       -       -       smtpd
	pickup    unix  n       -       n       60      1       pickup
	cleanup   unix  n       -       n       -       0       cleanup
	qmgr      unix  n       -       n       300     1       qmgr
	tlsmgr    unix  -       -       n       1000?   1       tlsmgr
	rewrite   unix  -       -       n       -       -       trivial-rewrite
	bounce    unix  -       -       n       -       0       bounce
	defer     unix  -       -       n       -       0       bounce
	trace     unix  -       -       n       -       0       bounce
	verify    unix  -       -       n       -       1       verify
	flush     unix  n       -       n       1000?   0       flush
	proxymap  unix  -       -       n       -       -       proxymap
	smtp      unix  -       -       n       -       -       smtp
	relay     unix  -       -       n       -       -       smtp
	showq     unix  n       -       n       -       -       showq
	error     unix  -       -       n       -       -       error
	retry     unix  -       -       n       -       -       error
	discard   unix  -       -       n       -       -       discard
	local     unix  -       n       n       -       -       local
	virtual   unix  -       n       n       -       -       virtual
	lmtp      unix  -       -       n       -       -       lmtp
	anvil     unix  -       -       n       -       1       anvil
	scache    unix  -       -       n       -       1       scache
	postlog   unix-dgram n  -       n       -       1       postlogd
	EOF
	# "postfix check" creates the queue tree; master -d stays in the
	# foreground (postfix start-fg would keep a shell in between).
	nsx wr-mail postfix -c "$c" check >>"$T/log/postfix.out" 2>&1 || true
	start postfix wr-mail /usr/lib/postfix/sbin/master -d -c "$c"
}

dovecot_up() {
	local c=$1
	mkdir -p "$c/run" "$c/state" "$c/home"
	chmod 755 "$c/run"
	echo 'labuser:{PLAIN}labpass::::::' >"$c/users"
	cat >"$c/dovecot.conf" <<-EOF
	base_dir = $c/run
	state_dir = $c/state
	instance_name = winreach-lab-dovecot
	protocols = imap pop3
	listen = *, ::
	log_path = $T/log/dovecot.log
	hostname = mail.lab.test
	ssl = yes
	ssl_cert = <$T/tls/mail.crt
	ssl_key = <$T/tls/mail.key
	disable_plaintext_auth = no
	auth_mechanisms = plain login
	default_login_user = dovenull
	default_internal_user = dovecot
	passdb {
	  driver = passwd-file
	  args = $c/users
	}
	userdb {
	  driver = static
	  args = uid=nobody gid=nogroup home=$c/home/%u
	}
	mail_location = maildir:~/Maildir
	service imap-login {
	  inet_listener imap {
	    port = 143
	  }
	  inet_listener imaps {
	    port = 993
	    ssl = yes
	  }
	}
	service pop3-login {
	  inet_listener pop3 {
	    port = 110
	  }
	  inet_listener pop3s {
	    port = 995
	    ssl = yes
	  }
	}
	EOF
	start dovecot wr-mail dovecot -F -c "$c/dovecot.conf"
}

inn_up() {
	local c=$1
	mkdir -p "$c/etc" "$c/db" "$c/run" "$c/log" "$c/spool"/{archive,articles,incoming/tmp,outgoing,overview} "$c/http"
	cp -a /etc/news/. "$c/etc/"
	cp "$T/tls/mail.crt" "$c/etc/cert.pem"; cp "$T/tls/mail.key" "$c/etc/key.pem"
	chmod 640 "$c/etc/key.pem"
	cat >"$c/inn.conf.lab" <<-EOF
	domain:        lab.test
	pathhost:      mail.lab.test
	fromhost:      lab.test
	server:        mail.lab.test
	organization:  "winreach lab"
	doinnwatch:    false
	pathnews:      /usr/lib/news
	pathbin:       /usr/lib/news/bin
	pathcontrol:   /usr/lib/news/bin/control
	pathfilter:    /etc/news/filter
	pathetc:       $c/etc
	pathdb:        $c/db
	pathrun:       $c/run
	pathlog:       $c/log
	pathhttp:      $c/http
	pathspool:     $c/spool
	patharchive:   $c/spool/archive
	patharticles:  $c/spool/articles
	pathincoming:  $c/spool/incoming
	pathoutgoing:  $c/spool/outgoing
	pathoverview:  $c/spool/overview
	pathtmp:       $c/spool/incoming/tmp
	tlscertfile:   $c/etc/cert.pem
	tlskeyfile:    $c/etc/key.pem
	EOF
	# Debian's inn.conf without the keys set above, then ours.
	awk 'NR == FNR { if (match($0, /^[a-z0-9]+:/)) k[substr($0, 1, RLENGTH)] = 1; next }
		!(match($0, /^[ \t]*[a-z0-9]+:/) && (substr($0, RSTART, RLENGTH) in k))' \
		"$c/inn.conf.lab" /etc/news/inn.conf >"$c/inn.conf"
	cat "$c/inn.conf.lab" >>"$c/inn.conf"
	rm -f "$c/inn.conf.lab"
	cat >"$c/etc/readers.conf" <<-EOF
	auth "lab" {
	    hosts: "*"
	    default: "<lab>"
	}
	access "lab" {
	    users: "<lab>"
	    newsgroups: "*"
	    access: RPA
	}
	EOF
	cp /usr/lib/news/examples/active /usr/lib/news/examples/newsgroups "$c/db/" 2>/dev/null || {
		printf 'control 0000000000 0000000001 n\njunk 0000000000 0000000001 n\n' >"$c/db/active"; : >"$c/db/newsgroups"; }
	touch "$c/db/active.times" "$c/db/history"
	chown -R news:news "$c"
	chown root:news "$c/inn.conf"
	(cd "$c/db" && INNCONF=$c/inn.conf setpriv --reuid=news --regid=news --init-groups -- /usr/lib/news/bin/makedbz -i -o -s 1000) >>"$T/log/innd.out" 2>&1
	start innd wr-mail env INNCONF="$c/inn.conf" setpriv --reuid=news --regid=news --init-groups -- /usr/lib/news/bin/innd -f
	# TLS on 563: a standalone nnrpd with implicit TLS (-S).
	start nnrpd-tls wr-mail env INNCONF="$c/inn.conf" setpriv --reuid=news --regid=news --init-groups -- /usr/lib/news/bin/nnrpd -D -f -S -p 563
}

# ---------------------------------------------------------------- wr-rdp
rdp_up() {
	local d=$T/rdp
	mkdir -p "$d/run"
	tls_cert rdp rdp.lab.test
	cat >"$d/xrdp.ini" <<-EOF
	[Globals]
	ini_version=1
	fork=true
	port=3389
	use_vsock=false
	tcp_nodelay=true
	tcp_keepalive=true
	security_layer=negotiate
	crypt_level=high
	certificate=$T/tls/rdp.crt
	key_file=$T/tls/rdp.key
	ssl_protocols=TLSv1.2, TLSv1.3
	autorun=
	allow_channels=true
	allow_multimon=true
	bitmap_cache=true
	bitmap_compression=true
	bulk_compression=true
	max_bpp=32
	new_cursors=true
	[Logging]
	LogFile=$T/log/xrdp.log
	LogLevel=INFO
	EnableSyslog=false
	[Channels]
	rdpdr=true
	rdpsnd=true
	drdynvc=true
	cliprdr=true
	rail=true
	xrdpvr=true
	[Xorg]
	name=Xorg
	lib=libxup.so
	username=ask
	password=ask
	ip=127.0.0.1
	port=-1
	code=20
	EOF
	start_privrun xrdp wr-rdp xrdp "$d/run" xrdp --nodaemon --config "$d/xrdp.ini"
}

# ---------------------------------------------------------------- wr-vpn
vpn_up() {
	local d=$T/vpn
	mkdir -p "$d/run"
	cat >"$d/strongswan.conf" <<-EOF
	charon {
	    load_modular = yes
	    plugins {
	        include /etc/strongswan.d/charon/*.conf
	    }
	    port = 500
	    port_nat_t = 4500
	    install_routes = no
	    filelog {
	        lab {
	            path = $T/log/charon.log
	            default = 1
	            ike = 2
	            flush_line = yes
	            time_format = %b %e %T
	        }
	    }
	    syslog {
	        daemon {
	            default = -1
	        }
	    }
	    plugins {
	        vici {
	            socket = unix://$d/run/charon.vici
	        }
	        stroke {
	            socket = unix://$d/run/charon.ctl
	        }
	    }
	}
	EOF
	start_privrun charon wr-vpn . "$d/run" env STRONGSWAN_CONF="$d/strongswan.conf" /usr/lib/ipsec/charon
	printf 'option %s\nlocalip %s\nremoteip %s.200-209\n' "$d/ppp-options" "$(ip4 vpn)" "$PREFIX4" >"$d/pptpd.conf"
	printf 'name pptpd\nrefuse-pap\nrefuse-chap\nrefuse-mschap\nrequire-mschap-v2\nnodefaultroute\nnoipx\nlock\nnobsdcomp\n' >"$d/ppp-options"
	start pptpd wr-vpn pptpd --fg --conf "$d/pptpd.conf" --pidfile "$d/run/pptpd.pid" --listen "$(ip4 vpn)"
}

# ---------------------------------------------------------------- wr-dhcp
dhcp_up() {
	local d=$T/dhcp
	mkdir -p "$d"
	start dnsmasq wr-dhcp dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --no-resolv --no-hosts \
		--user=nobody --group=nogroup --interface=eth0 --bind-interfaces \
		--dhcp-range="$PREFIX4.100,$PREFIX4.149,255.255.255.0,12h" --dhcp-authoritative \
		--dhcp-option=option:dns-server,"$(ip4 dc)" \
		--dhcp-option=option:domain-name,lab.test \
		--dhcp-leasefile="$d/leases" --pid-file="$d/dnsmasq.pid" --log-dhcp --log-facility="$T/log/dnsmasq.log"
}

# ---------------------------------------------------------------- wr-skew
# A DC whose clock is 10 minutes ahead: the lab DC's own provisioned tree
# (same domain, same DC1 account and keys) run by a second samba under
# libfaketime, which offsets every clock the process reads
# (FAKETIME="+10m"; the monotonic clock is left alone, so timers behave),
# so its KDC's KRB-ERROR stime and its SMB2 negotiate SystemTime are 10
# minutes ahead, as a real DC's are when its clock drifts. Its NetBIOS
# servers are off: the name DC1 belongs to wr-dc on this segment.
# `winreach logon 198.18.1.15` must say KRB_AP_ERR_SKEW.
SKEW_OFFSET=+10m
skew_up() {
	local lib
	lib=$(dpkg -L libfaketime 2>/dev/null | grep '/libfaketime\.so\.1$' | head -n 1)
	[ -n "$lib" ] || die "libfaketime.so.1 not found (is libfaketime installed?)"
	dc_tree "$T/skew" samba-skew "disable netbios = yes" "-dnsupdate -nbt"
	start_privrun samba-skew wr-skew samba "$T/skew/run" env LD_PRELOAD="$lib" FAKETIME="$SKEW_OFFSET" \
		FAKETIME_DONT_FAKE_MONOTONIC=1 samba --foreground --no-process-group -s "$T/skew/etc/smb.conf"
}

# ---------------------------------------------------------------- wr-dns2
# A DNS server for lab.test WITHOUT the DC locator's SRV records: it knows
# the domain's and the DC's A records and answers NXDOMAIN for every other
# name in lab.test (--local), as a DNS server a client is wrongly pointed
# at does (winreach logon --dns 198.18.1.12 lab.test).
dns2_up() {
	local d=$T/dns2
	mkdir -p "$d"
	start dnsmasq-dns2 wr-dns2 dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
		--user=nobody --group=nogroup --interface=eth0 --bind-interfaces --port=53 \
		--local=/lab.test/ --host-record=lab.test,"$(ip4 dc)" --host-record=dc1.lab.test,"$(ip4 dc)" \
		--pid-file="$d/dnsmasq.pid" --log-facility="$T/log/dnsmasq-dns2.log"
}

# ---------------------------------------------------------------- behind firewalls
# wr-legacy: the project's own stand-in (cmd/winreach-labd) for the ICA,
# X.400 and WLBS services that have no Debian daemon, built from this
# checkout. One instance per address family: it binds only what it is given.
legacy_up() {
	local repo go
	repo=$(cd "$LAB_DIR/../.." && pwd)
	go=$(command -v go || echo /usr/local/go/bin/go)
	mkdir -p "$T/bin"
	(cd "$repo" && "$go" build -o "$T/bin/winreach-labd" ./cmd/winreach-labd) >>"$T/log/labd-build.out" 2>&1 ||
		die "building cmd/winreach-labd failed; see $T/log/labd-build.out"
	start labd4 wr-legacy "$T/bin/winreach-labd" --modern --addr "$(ip4 legacy)"
	start labd6 wr-legacy "$T/bin/winreach-labd" --modern --addr "$(ip6 legacy)"
}

# ---------------------------------------------------------------- the WAN and far sites
# wr-wan routes between the LAN and each far site. Each site is a TUN link
# (wr-wan/<site> <-> wr-<site>/wan0) joined by cmd/winreach-wanrelay, which
# holds every packet for the site's one-way delay. Only wr-client and wr-dc
# get routes to the far sites (the scanner, and the DC a far client logs on
# to); routes live in wr-* namespaces only.
wan_up() {
	local repo go site name oct delay h ns
	repo=$(cd "$LAB_DIR/../.." && pwd)
	go=$(command -v go || echo /usr/local/go/bin/go)
	mkdir -p "$T/bin"
	(cd "$repo" && "$go" build -o "$T/bin/winreach-wanrelay" ./cmd/winreach-wanrelay) >>"$T/log/wanrelay-build.out" 2>&1 ||
		die "building cmd/winreach-wanrelay failed; see $T/log/wanrelay-build.out"
	lan_host wan "$WAN_OCTET"
	nsx wr-wan sysctl -qw net.ipv4.ip_forward=1 net.ipv4.icmp_ratelimit=0 \
		net.ipv6.conf.all.forwarding=1 net.ipv6.icmp.ratelimit=0
	# A /24 behind a firewall that forwards nothing: the router discards
	# every packet for it, without an ICMP error (the bench's case 7).
	ip -n wr-wan route add blackhole "$FIREWALLED24"
	ip -n wr-client route add "$FIREWALLED24" via "$PREFIX4.$WAN_OCTET"
	for site in "${FAR_SITES[@]}"; do
		IFS=: read -r name oct delay <<<"$site"
		mkdir -p "/etc/netns/wr-$name"
		printf 'search lab.test\nnameserver %s.%s.10\noptions timeout:2 attempts:1\n' "${PREFIX4%.*}" "$oct" >"/etc/netns/wr-$name/resolv.conf"
		hosts_file "$name" >"/etc/netns/wr-$name/hosts"
		ip netns add "wr-$name"
		ip -n "wr-$name" link set lo up
		nsx "wr-$name" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
		ip -n wr-wan tuntap add dev "$name" mode tun
		ip -n "wr-$name" tuntap add dev wan0 mode tun
		ip -n wr-wan link set "$name" up
		ip -n "wr-$name" link set wan0 up
		# IPv4 198.18.<oct>.<h> and IPv6 fd77:7272:<oct>::<h> (far6).
		for h in "${FAR_HOSTS[@]}"; do
			ip -n "wr-$name" addr add "${PREFIX4%.*}.$oct.${h%%:*}/32" dev lo
			ip -n "wr-$name" addr add "$(far6 "$oct" "${h%%:*}")/128" dev lo
		done
		# The site's own client address, for logon across the WAN.
		ip -n "wr-$name" addr add "${PREFIX4%.*}.$oct.2/32" dev lo
		ip -n "wr-$name" addr add "$(far6 "$oct" 2)/128" dev lo
		ip -n wr-wan route add "${PREFIX4%.*}.$oct.0/24" dev "$name"
		ip -n wr-wan route add "$(far6 "$oct" "")/64" dev "$name"
		ip -n "wr-$name" route add "$PREFIX4.0/24" dev wan0 src "${PREFIX4%.*}.$oct.2"
		ip -n "wr-$name" route add "${PREFIX6}:/64" dev wan0 src "$(far6 "$oct" 2)"
		for ns in wr-client wr-dc; do
			ip -n "$ns" route add "${PREFIX4%.*}.$oct.0/24" via "$PREFIX4.$WAN_OCTET"
			ip -n "$ns" route add "$(far6 "$oct" "")/64" via "$PREFIX6:$WAN_OCTET"
		done
		start "wanrelay-$name" wr-wan "$T/bin/winreach-wanrelay" --a "wr-wan/$name" --b "wr-$name/wan0" --delay "$delay" --seed "$oct"
		far_site_up "$name" "$oct"
	done
}

# far6 OCTET HOST: a far site's IPv6 address, fd77:7272:<octet>::<host>
# (HOST "" gives the site's prefix, for routes).
far6() { printf 'fd77:7272:%s::%s' "$1" "$2"; }

# far_site_up NAME OCTET: the far file server .10 (dnsmasq for DNS: the
# site's own names, lab.test forwarded to the lab DC across the WAN, like
# a branch office's DNS; a standalone smbd for SMB); .11 runs nothing.
far_site_up() {
	local name=$1 oct=$2 d=$T/$1 ip ip6
	ip=${PREFIX4%.*}.$oct.10
	ip6=$(far6 "$oct" 10)
	mkdir -p "$d/run" "$d/lock" "$d/state" "$d/cache" "$d/private" "$d/share"
	start "dns-$name" "wr-$name" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
		--user=nobody --group=nogroup --listen-address="$ip" --listen-address="$ip6" --bind-interfaces --port=53 \
		--domain=lab.test --server=/lab.test/"$PREFIX4.10" --host-record="fs-$name.lab.test,$ip,$ip6" \
		--host-record="idle-$name.lab.test,${PREFIX4%.*}.$oct.11,$(far6 "$oct" 11)" --pid-file="$d/dnsmasq.pid" \
		--log-facility="$T/log/dns-$name.log"
	cat >"$d/smb.conf" <<-EOF
	[global]
		server role = standalone server
		workgroup = FAR
		netbios name = FS-${name^^}
		interfaces = $ip/32 $ip6/128
		bind interfaces only = yes
		smb ports = 445 139
		pid directory = $d/run
		lock directory = $d/lock
		state directory = $d/state
		cache directory = $d/cache
		private dir = $d/private
		ncalrpc dir = $d/run/ncalrpc
		log file = $T/log/smbd-$name.log
		logging = file
		max log size = 0
		panic action =
		load printers = no
		printcap name = /dev/null
		disable spoolss = yes
		server signing = mandatory
	[share]
		path = $d/share
		read only = yes
		guest ok = yes
	EOF
	start_privrun "smbd-$name" "wr-$name" samba "$d/run" smbd --foreground --no-process-group -s "$d/smb.conf"
}

# Far services are checked inside their namespace (the WAN is slow).
far_ready() {
	local site name oct
	for site in "${FAR_SITES[@]}"; do
		IFS=: read -r name oct _ <<<"$site"
		nsx "wr-$name" ss -Hlnt "sport = :445" | grep -q . || return 1
		nsx "wr-$name" ss -Hlnu "sport = :53" | grep -q . || return 1
	done
}

fw_listeners() {
	local ns
	for ns in wr-drop wr-reject wr-reset; do
		start "${ns#wr-}-tcp139" "$ns" socat TCP6-LISTEN:139,ipv6only=0,reuseaddr,fork SYSTEM:true
		start "${ns#wr-}-tcp445" "$ns" socat TCP6-LISTEN:445,ipv6only=0,reuseaddr,fork SYSTEM:true
		start "${ns#wr-}-udp137" "$ns" socat UDP6-RECVFROM:137,ipv6only=0,reuseaddr,fork SYSTEM:true
		start "${ns#wr-}-tcp5985" "$ns" socat TCP6-LISTEN:5985,ipv6only=0,reuseaddr,fork SYSTEM:true
		start "${ns#wr-}-udp1434" "$ns" socat UDP6-RECVFROM:1434,ipv6only=0,reuseaddr,fork SYSTEM:true
	done
}

# ---------------------------------------------------------------- readiness
# host proto port service  (what `up` waits for and prints)
services() {
	cat <<-'EOF'
	dc tcp 42 wins-repl
	dc tcp 53 dns
	dc udp 53 dns
	dc tcp 88 kerberos
	dc udp 88 kerberos
	dc tcp 135 msrpc-epmap
	dc udp 137 netbios-ns
	dc udp 138 netbios-dgm
	dc tcp 139 netbios-ssn
	dc tcp 389 ldap
	dc udp 389 cldap
	dc tcp 445 smb
	dc tcp 464 kpasswd
	dc udp 464 kpasswd
	dc tcp 636 ldaps
	dc tcp 3268 gc-ldap
	dc tcp 3269 gc-ldaps
	dc udp 123 ntp-chronyd
	mail tcp 25 smtp
	mail tcp 110 pop3
	mail tcp 119 nntp
	mail tcp 143 imap
	mail tcp 563 nntps
	mail tcp 993 imaps
	mail tcp 995 pop3s
	mail tcp 443 https-nginx
	rdp tcp 3389 rdp
	vpn udp 500 ike
	vpn udp 4500 ike-natt
	vpn tcp 1723 pptp
	dhcp udp 67 dhcp
	dns2 udp 53 dns-nosrv
	skew tcp 88 kdc-10min-ahead
	skew tcp 445 smb-10min-ahead
	skew udp 53 dns-10min-ahead
	legacy tcp 102 x400-labd
	legacy tcp 1494 ica-labd
	legacy tcp 1433 tds-labd
	legacy udp 1434 sqlbrowser-labd
	legacy udp 3389 rdpudp-labd
	legacy tcp 5985 winrm-labd
	legacy tcp 9389 nmf-labd
	drop tcp 139 socat-behind-drop
	drop tcp 445 socat-behind-drop
	drop udp 137 socat-behind-drop
	drop tcp 5985 socat-behind-drop
	drop udp 1434 socat-behind-drop
	reject tcp 139 socat-behind-reject
	reject tcp 445 socat-behind-reject
	reject udp 137 socat-behind-reject
	reject tcp 5985 socat-behind-reject
	reject udp 1434 socat-behind-reject
	reset tcp 139 socat-behind-reset
	reset tcp 445 socat-behind-reset
	reset udp 137 socat-behind-reset
	reset tcp 5985 socat-behind-reset
	reset udp 1434 socat-behind-reset
	EOF
}

# Is the service listening? TCP is tried from wr-client through the lab
# link (except behind firewalls, which are checked like UDP: by a listening
# socket inside the host's namespace).
svc_ready() {
	local host=$1 proto=$2 port=$3 ns=wr-$1
	case "$host:$proto" in
	drop:* | reject:* | reset:* | *:udp)
		nsx "$ns" ss -Hln"${proto:0:1}" "sport = :$port" | grep -q . ;;
	*)
		nsx wr-client nc -z -w 1 "$(ip4 "$host")" "$port" >/dev/null 2>&1 ;;
	esac
}

wait_ready() {
	local deadline=$((SECONDS + READY_TIMEOUT)) host proto port svc pending
	while :; do
		pending=0
		while read -r host proto port svc; do
			[ -e "$T/ready/$host-$proto-$port" ] && continue
			if svc_ready "$host" "$proto" "$port"; then touch "$T/ready/$host-$proto-$port"; else pending=$((pending + 1)); fi
		done < <(services)
		[ "$pending" -eq 0 ] && far_ready && return 0
		[ "$SECONDS" -lt "$deadline" ] || return 1
		sleep 0.5
	done
}

print_table() {
	local host proto port svc st
	printf '%-8s %-28s %-5s %-6s %-20s %s\n' HOST ADDRESS PROTO PORT SERVICE STATE
	while read -r host proto port svc; do
		if [ -n "$T" ] && [ -e "$T/ready/$host-$proto-$port" ] && svc_ready "$host" "$proto" "$port"; then st=up; else st=DOWN; fi
		printf '%-8s %-28s %-5s %-6s %-20s %s\n' "$host" "$(ip4 "$host") $(ip6 "$host")" "$proto" "$port" "$svc" "$st"
	done < <(services)
}

lab_is_up() {
	local ns
	load_state || return 1
	for ns in "${ALL_NS[@]}"; do [ -e "/run/netns/$ns" ] || return 1; done
	# A lab without its WAN relays was brought up by another lab.sh.
	for ns in "${FAR_SITES[@]}"; do [ -f "$T/pids/wanrelay-${ns%%:*}.pid" ] || return 1; done
	[ "$(lab_pids | wc -l)" -ge "$(find "$T/pids" -name '*.pid' | wc -l)" ]
}

# ---------------------------------------------------------------- commands
cmd_up() {
	need_root
	lock
	if lab_is_up; then
		log "lab already up (temp folder $T); verifying"
		wait_ready || { print_table; die "lab is up but not every service answers"; }
		print_table
		return 0
	fi
	if [ -f "$STATE" ] || ip netns list | grep -q '^wr-'; then
		log "found a partial lab; tearing it down first"
		teardown
	fi
	if [ -n "$(missing_packages)" ] || ! chrony_unpacked; then cmd_install; fi
	local t0=$SECONDS
	trap 'on_signal' INT TERM
	trap 'on_exit' EXIT
	T=$(mktemp -d /tmp/winreach-lab.XXXXXX)
	chmod 755 "$T"
	mkdir -p "$T/log" "$T/pids" "$T/ready"
	printf 'TMP=%s\nSTARTED=%s\n' "$T" "$(date -Is)" >"$STATE"
	net_up
	firewalls
	fw_listeners
	dc_up
	mail_up
	rdp_up
	vpn_up
	dhcp_up
	dns2_up
	skew_up
	legacy_up
	wan_up
	if ! wait_ready; then
		print_table
		die "services not ready within ${READY_TIMEOUT}s; logs in $T/log"
	fi
	UP_DONE=1
	trap - INT TERM EXIT
	print_table
	log "lab up in $((SECONDS - t0)) s; temp folder $T"
}

on_signal() { log "interrupted: tearing down"; trap - EXIT; teardown; exit 130; }
on_exit() {
	local rc=$?
	if [ "$UP_DONE" != 1 ]; then
		if [ -n "$T" ] && [ -d "$T/log" ]; then
			rm -rf "$RUN_DIR/failed-logs"; cp -a "$T/log" "$RUN_DIR/failed-logs" 2>/dev/null || true
			log "up failed: logs kept in $RUN_DIR/failed-logs; tearing down"
		else
			log "up failed: tearing down"
		fi
		teardown
	fi
	exit "$rc"
}

teardown() {
	local pid ns pids n
	load_state || true
	# 0. innd takes long over SIGTERM; ask it to shut down the INN way.
	if [ -n "$T" ] && [ -f "$T/mail/inn/inn.conf" ] && [ -e /run/netns/wr-mail ]; then
		INNCONF=$T/mail/inn/inn.conf timeout 6 ip netns exec wr-mail /usr/lib/news/bin/ctlinnd -t 5 shutdown "lab down" >/dev/null 2>&1 || true
	fi
	# 1. every PID we started (checked to still be in a wr-* namespace)
	# shellcheck disable=SC2046
	kill_pids $(lab_pids)
	# 2. anything else still inside our namespaces (children, daemonized helpers)
	pids=""
	for ns in "${ALL_NS[@]}"; do
		[ -e "/run/netns/$ns" ] || continue
		for pid in $(ip netns pids "$ns" 2>/dev/null || true); do alive "$pid" && pids+=" $pid"; done
	done
	# shellcheck disable=SC2086
	if [ -n "$pids" ]; then
		log "stopping leftover processes in lab namespaces:$(for pid in $pids; do printf ' %s(%s)' "$pid" "$(cat "/proc/$pid/comm" 2>/dev/null)"; done)"
		# shellcheck disable=SC2086
		kill_pids $pids
	fi
	# 3. namespaces (links and addresses go with them) and their /etc/netns files
	for ns in "${ALL_NS[@]}"; do
		[ -e "/run/netns/$ns" ] && ip netns del "$ns" 2>/dev/null || true
		rm -rf "/etc/netns/$ns"
	done
	rmdir /etc/netns 2>/dev/null || true
	# 4. temp folder and state
	case "$T" in /tmp/winreach-lab.*) rm -rf "$T" ;; esac
	rm -f "$STATE"
	T=""
}

cmd_down() {
	need_root
	lock
	teardown
	local left
	left=$(ip netns list | grep -o '^wr-[a-z]*' || true)
	[ -z "$left" ] || die "namespaces left: $left"
	log "lab down"
}

cmd_status() {
	if ! load_state; then
		echo "lab: down"
		ip netns list | grep '^wr-' && echo "(stray wr-* namespaces: run lab.sh down)"
		return 0
	fi
	echo "lab: up since $(sed -n 's/^STARTED=//p' "$STATE"); temp folder $T"
	local f pid st
	printf '%-20s %-8s %s\n' PROCESS PID STATE
	for f in "$T"/pids/*.pid; do
		pid=$(cat "$f"); st=dead
		alive "$pid" && st="running in $(ip netns identify "$pid" 2>/dev/null)"
		printf '%-20s %-8s %s\n' "$(basename "$f" .pid)" "$pid" "$st"
	done
	print_table
}

cmd_exec() {
	[ $# -ge 2 ] || die "usage: lab.sh exec HOST CMD..."
	local ns=$1; shift
	case "$ns" in wr-*) ;; *) ns=wr-$ns ;; esac
	printf '%s\n' "${ALL_NS[@]}" | grep -qx "$ns" || die "unknown host $ns"
	exec ip netns exec "$ns" "$@"
}

# Close what the caller left open, the session lock above all (`flock
# /run/winreach-lab-session.lock lab.sh up`): the daemons `up` leaves
# running would inherit it and hold it until `down`, which then waits for
# it forever, and so does every other lab user. The caller's flock process
# keeps the lock while lab.sh runs. (255 is bash's own script descriptor.)
for fd in /proc/$$/fd/*; do
	fd=${fd##*/}
	if [ "$fd" -gt 2 ] && [ "$fd" -lt 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done

case "${1:-}" in
install) cmd_install ;;
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
exec) shift; cmd_exec "$@" ;;
*) echo "usage: $0 install|up|down|status|exec HOST CMD..." >&2; exit 2 ;;
esac
