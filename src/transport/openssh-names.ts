// Host names and users checked the way OpenSSH 9.6 checks them (valid_hostname, valid_ruser in ssh.c).

/** Characters OpenSSH refuses in a host name: a ProxyCommand runs it through sh. */
const HOST_META = `'\`"$\\;&<>|(){}`;
/** Characters OpenSSH refuses in a remote user name. */
const USER_META = `'\`";&<>|(){}`;

const isSpace = (c: string) => /\s/.test(c);
const isCntrl = (c: string) => {
  const n = c.charCodeAt(0);
  return n < 0x20 || n === 0x7f;
};

/** Why OpenSSH would refuse `s` as a host name, or undefined when it is acceptable. */
export function hostNameProblem(s: string): string | undefined {
  if (s === '') return 'it is empty';
  if (s.startsWith('-')) return 'it starts with "-" (it would be read as an option)';
  for (const c of s) {
    if (HOST_META.includes(c)) return `it contains ${JSON.stringify(c)}, a shell metacharacter`;
    if (isSpace(c) || isCntrl(c)) return 'it contains white space or a control character';
  }
  return undefined;
}

/** Why OpenSSH would refuse `s` as a remote user name, or undefined when it is acceptable. */
export function userNameProblem(s: string): string | undefined {
  if (s === '') return 'it is empty';
  if (s.startsWith('-')) return 'it starts with "-" (it would be read as an option)';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (isCntrl(c)) return 'it contains a control character';
    if (USER_META.includes(c)) return `it contains ${JSON.stringify(c)}, a shell metacharacter`;
    if (isSpace(c) && s[i + 1] === '-') return 'it has "-" after white space (it would be read as an option)';
    if (c === '\\' && i === s.length - 1) return 'it ends with "\\"';
  }
  return undefined;
}
