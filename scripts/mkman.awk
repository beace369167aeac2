# SPDX-License-Identifier: MIT
#
# Generates the function man pages from the structured comments of the
# public headers, so that a page cannot drift from the code it describes:
# the synopsis is the declaration itself, every parameter must be described
# and every described parameter must exist, every exported or inline
# function must have a comment, and the version a symbol is exported with
# comes from the linker version scripts.
#
#   awk -v out=DIR -v version=V -f mkman.awk MAP... HEADER...
#
# A structured comment sits right above the function(s) it documents:
#
#   /**
#    * io_uring_prep_read, io_uring_prep_write - read or write at an offset
#    * @fd: the file, or a registered file index with IOSQE_FIXED_FILE
#    * @buf: where the data goes, or comes from
#    *
#    * Free text: one or more paragraphs, separated by an empty line.
#    *
#    * Return: what the call (or the CQE's res) gives back.
#    * See also: io_uring_prep_readv(3), pread(2)
#    */
#
# The names before " - " are the functions it covers; they must be the
# declarations that follow, in order (preprocessor lines may come between).
# @sqe and @ring need no line of their own unless they mean something else.
# In the text, @name is a parameter (set in italics) and name(N) another
# page (in bold). Pages of io_uring_* go to section 3aioring, so that they
# live beside liburing's own pages without replacing them; aioring_* pages
# are plain section 3. Exits non-zero, with file:line, on any mismatch.

function fail(msg) {
	printf("%s:%d: %s\n", FILENAME, FNR, msg) > "/dev/stderr"
	failed = 1
	exit 1
}

function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

# Text from a comment, made safe for roff and marked up.
function roff(s,    out, m) {
	gsub(/\\/, "\\e", s)
	out = ""
	# @param -> italic
	while (match(s, /@[A-Za-z_][A-Za-z0-9_]*/)) {
		out = out substr(s, 1, RSTART - 1) "\\fI" substr(s, RSTART + 1, RLENGTH - 1) "\\fP"
		s = substr(s, RSTART + RLENGTH)
	}
	s = out s
	out = ""
	# name(N) -> bold name
	while (match(s, /[A-Za-z_][A-Za-z0-9_]*\([1-8][a-z]*\)/)) {
		m = substr(s, RSTART, RLENGTH)
		sub(/\(.*/, "", m)
		out = out substr(s, 1, RSTART - 1) "\\fB" m "\\fP"
		s = substr(s, RSTART + length(m))
	}
	s = out s
	if (s ~ /^[.']/)
		s = "\\&" s
	return s
}

# --- version scripts -------------------------------------------------------

function read_map(    line, name) {
	line = $0
	sub(/\/\*.*/, "", line)
	if (line ~ /^[A-Z][A-Z_0-9.]* *\{/) {
		node = line
		sub(/ *\{.*/, "", node)
		return
	}
	if (line ~ /^[ \t]*[A-Za-z_][A-Za-z0-9_]*;[ \t]*$/) {
		name = trim(line)
		sub(/;$/, "", name)
		if (FILENAME ~ /ffi/) {
			if (!(name in ffi_node))
				ffi_node[name] = node
		} else if (!(name in lib_node)) {
			lib_node[name] = node
		}
	}
}

# --- comments ----------------------------------------------------------------

function start_comment() {
	in_doc = 1
	last = ""
	ndoc = 0
	nparam = 0
	delete pdesc
	delete pname_order
	summary = ""
	names = ""
	ret_text = ""
	see = ""
	section = "head"
	ndecl_wanted = 0
}

function doc_line(line,    p, d) {
	sub(/^[ \t]*\* ?/, "", line)
	if (section == "head") {
		if (line !~ / - /)
			fail("the first line must be 'name[, name...] - summary'")
		names = line
		sub(/ - .*/, "", names)
		summary = line
		sub(/^[^-]* - /, "", summary)
		ndecl_wanted = split(names, wanted, /, */)
		section = "params"
		return
	}
	if (section == "params" && line ~ /^@[A-Za-z_][A-Za-z0-9_]*:/) {
		p = line
		sub(/:.*/, "", p)
		p = substr(p, 2)
		d = line
		sub(/^@[^:]*: */, "", d)
		pdesc[p] = d
		pname_order[++nparam] = p
		last = "param"
		lastp = p
		return
	}
	if (section == "params" && line ~ /^[ \t]+/ && last == "param") {
		pdesc[lastp] = pdesc[lastp] " " trim(line)
		return
	}
	if (line ~ /^Return: /) {
		ret_text = substr(line, 9)
		last = "ret"
		section = "tail"
		return
	}
	if (line ~ /^See also: /) {
		see = substr(line, 11)
		last = "see"
		section = "tail"
		return
	}
	if (line == "") {
		if (section == "params")
			section = "body"
		else if (section == "body")
			doc[++ndoc] = ""
		last = ""
		return
	}
	if (last == "ret") {
		ret_text = ret_text " " line
		return
	}
	if (last == "see") {
		see = see " " line
		return
	}
	section = "body"
	doc[++ndoc] = line
}

# --- declarations ------------------------------------------------------------

# The function name of a prototype text ("type name(args)").
function decl_name(d,    n) {
	n = d
	sub(/\(.*/, "", n)
	sub(/.*[ *]/, "", n)
	return n
}

# The parameter names of a prototype, into arr; returns their number.
function decl_params(d, arr,    args, n, i, k, parts, depth, c, cur, nm) {
	args = d
	sub(/^[^(]*\(/, "", args)
	sub(/\)[^)]*$/, "", args)
	n = 0
	depth = 0
	cur = ""
	for (i = 1; i <= length(args); i++) {
		c = substr(args, i, 1)
		if (c == "(") depth++
		if (c == ")") depth--
		if (c == "," && depth == 0) {
			parts[++n] = cur
			cur = ""
		} else {
			cur = cur c
		}
	}
	parts[++n] = cur
	k = 0
	for (i = 1; i <= n; i++) {
		nm = trim(parts[i])
		if (nm == "void" || nm == "..." || nm == "")
			continue
		sub(/\[[^]]*\]$/, "", nm)
		sub(/.*[ *]/, "", nm)
		arr[++k] = nm
	}
	return k
}

function end_decl(    d, name, i, np, params, p, found) {
	d = decl
	gsub(/[ \t]+/, " ", d)
	sub(/ *[{;].*$/, "", d)
	d = trim(d)
	sub(/^IOURINGINLINE /, "", d)
	name = decl_name(d)
	ndecl++
	if (name != wanted[ndecl])
		fail("the comment names " wanted[ndecl] " here, the code " name)
	proto[ndecl] = d
	np = decl_params(d, params)
	for (i = 1; i <= np; i++) {
		p = params[i]
		seen_param[p] = 1
		if (!(p in pdesc) && p != "sqe" && p != "ring")
			fail(name ": parameter " p " is not described")
	}
	inline_fn[name] = is_inline
	if (ndecl == ndecl_wanted) {
		for (i = 1; i <= nparam; i++)
			if (!(pname_order[i] in seen_param))
				fail("@" pname_order[i] " is no parameter of " names)
		for (i = 1; i <= ndecl; i++)
			write_page(wanted[i])
		waiting = 0
		delete seen_param
	}
}

# --- pages ---------------------------------------------------------------------

function page_section(name) {
	return name ~ /^aioring_/ ? "3" : "3aioring"
}

function write_page(name,    f, i, j, np, hdr, p, s, a, nsee, seen, proto_params, k) {
	f = out "/" name "." page_section(name)
	hdr = (FILENAME ~ /aioring\.h$/) ? "aioring.h" : "liburing.h"
	documented[name] = 1
	printf(".TH %s %s \"\" \"aioring %s\" \"aioring Manual\"\n", name,
	       page_section(name), version) > f
	print ".SH NAME" > f
	printf("%s \\- %s\n", names, roff(summary)) > f
	print ".SH SYNOPSIS" > f
	print ".nf" > f
	printf(".B #include <%s>\n", hdr) > f
	print ".PP" > f
	for (i = 1; i <= ndecl; i++) {
		s = proto[i]
		gsub(/\\/, "\\e", s)
		printf("%s%s;\n", inline_fn[wanted[i]] ? "static inline " : "", s) > f
	}
	print ".fi" > f
	print ".SH DESCRIPTION" > f
	k = 0
	for (i = 1; i <= ndecl; i++) {
		delete proto_params
		np = decl_params(proto[i], proto_params)
		for (j = 1; j <= np; j++) {
			p = proto_params[j]
			if (p in listed)
				continue
			listed[p] = 1
			print ".TP" > f
			printf(".I %s\n", p) > f
			if (p in pdesc)
				print roff(pdesc[p]) > f
			else if (p == "sqe")
				print "the submission queue entry to prepare, as returned by \\fBio_uring_get_sqe\\fP(3)." > f
			else
				print "the ring, set up by \\fBio_uring_queue_init\\fP(3)." > f
			k++
		}
	}
	delete listed
	if (k)
		print ".PP" > f
	for (i = 1; i <= ndoc; i++)
		print (doc[i] == "" ? ".PP" : roff(doc[i])) > f
	if (ret_text != "") {
		print ".SH RETURN VALUE" > f
		print roff(ret_text) > f
	}
	print ".SH NOTES" > f
	if (inline_fn[name])
		printf("An inline function of \\fB<liburing.h>\\fP, compiled into the program; \\fBliburing-ffi.so.2\\fP exports it as \\fB%s@%s\\fP for bindings that cannot use inline functions.\n", name, ffi_node[name]) > f
	else if (name in lib_node)
		printf("Exported by \\fBlibaioring.so.0\\fP and aioring's \\fBliburing.so.2\\fP as \\fB%s@%s\\fP.\n", name, lib_node[name]) > f
	if (name ~ /^_*io_uring_/)
		print "On aioring the same call works on both backends, the kernel's io_uring and aioring's user-space engine; see \\fBaioring\\fP(7) for how the backend is chosen and where the engine differs." > f
	print ".SH SEE ALSO" > f
	s = see
	if (s != "")
		s = s ", "
	if (name ~ /^io_uring_prep_/)
		s = s "io_uring_get_sqe(3), io_uring_submit(3), "
	s = s "aioring(7)"
	nsee = split(s, a, /, */)
	for (i = 1; i <= nsee; i++) {
		p = trim(a[i])
		if (p == "" || (p in seen))
			continue
		seen[p] = 1
		printf("%s\\fB%s\\fP(%s)", i > 1 ? ",\n" : "", substr(p, 1, index(p, "(") - 1),
		       substr(p, index(p, "(") + 1, length(p) - index(p, "(") - 1)) > f
	}
	print "" > f
	close(f)
	pages++
}

# --- the main loop ---------------------------------------------------------------

FILENAME ~ /\.map$/ { read_map(); next }

in_doc && /\*\// {
	in_doc = 0
	waiting = 1
	ndecl = 0
	next
}
in_doc { doc_line($0); next }
/^\/\*\*$/ {
	if (waiting)
		fail("a comment for " names " with no declaration after it")
	start_comment()
	next
}

# A function body: nothing in it is a declaration of the header.
in_body { if ($0 ~ /^\}/) in_body = 0; next }

# Declarations: what a comment waits for, and what must have one.
/^(IOURINGINLINE|int|unsigned|void|bool|ssize_t|const|struct|size_t|__u64)[ \t]/ && !in_decl {
	if ($0 ~ /^struct [a-z_]+ \{/ || $0 ~ /^struct [a-z_]+;/ || $0 ~ /;$/ && $0 !~ /\(/)
		next
	in_decl = 1
	decl = ""
	is_inline = ($1 == "IOURINGINLINE")
	decl_file = FILENAME
	decl_line = FNR
}
in_decl {
	decl = decl " " $0
	open_p = gsub(/\(/, "(", decl)
	close_p = gsub(/\)/, ")", decl)
	if (open_p > 0 && open_p == close_p) {
		in_decl = 0
		in_body = (decl !~ /;[ \t]*$/)
		name = decl_name(trim(decl))
		if (decl ~ /\(/) {
			all_fn[name] = FILENAME ":" decl_line
			if (waiting)
				end_decl()
		}
	}
	next
}
/^[ \t]*#/ { cont = ($0 ~ /\\$/); next }
cont { cont = ($0 ~ /\\$/); next }
waiting && NF && $0 !~ /^\/\*/ {
	fail("the comment for " names " is followed by something else: " $0)
}

END {
	if (failed)
		exit 1
	# Every exported name and every inline helper has a page.
	for (n in lib_node)
		if (!(n in documented)) {
			print "mkman: " n " (" lib_node[n] ") has no structured comment" > "/dev/stderr"
			missing++
		}
	for (n in ffi_node)
		if (!(n in documented)) {
			print "mkman: " n " (liburing-ffi " ffi_node[n] ") has no structured comment" > "/dev/stderr"
			missing++
		}
	for (n in all_fn)
		if (!(n in documented) && n !~ /^LIBURING/) {
			print "mkman: " all_fn[n] ": " n " has no structured comment" > "/dev/stderr"
			missing++
		}
	if (missing)
		exit 1
	printf("mkman: %d pages in %s\n", pages, out)
}
