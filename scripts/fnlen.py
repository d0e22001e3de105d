#!/usr/bin/env python3
"""List Rust functions longer than N lines (outside #[cfg(test)] modules and tests/ dirs)."""
import re,sys,os
N=int(sys.argv[1]) if len(sys.argv)>1 else 100
root=sys.argv[2] if len(sys.argv)>2 else 'crates'
fnre=re.compile(r'^\s*(pub(\([^)]*\))?\s+)?(const\s+)?(async\s+)?(unsafe\s+)?fn\s+(\w+)')
out=[]
for d,_,fs in os.walk(root):
    if '/tests' in d or '/benches' in d or '/examples' in d or 'target' in d: continue
    for f in fs:
        if not f.endswith('.rs'): continue
        p=os.path.join(d,f); L=open(p).read().split('\n')
        i=0; intest=False
        while i<len(L):
            line=L[i]
            if re.match(r'\s*#\[cfg\(test\)\]',line): break  # rest of file is tests (convention)
            m=fnre.match(line)
            if m:
                # find opening brace
                j=i; depth=0; started=False
                while j<len(L):
                    s=re.sub(r'"(\\.|[^"\\])*"','""',L[j]); s=re.sub(r"'(\\.|[^'\\])'","''",s); s=s.split('//')[0]
                    for ch in s:
                        if ch=='{': depth+=1; started=True
                        elif ch=='}': depth-=1
                    if started and depth<=0: break
                    if not started and s.rstrip().endswith(';'): break
                    j+=1
                n=j-i+1
                if started and n>N: out.append((n,p,i+1,m.group(6)))
                i=j+1 if started else i+1
                continue
            i+=1
for n,p,l,name in sorted(out,reverse=True): print(f"{n:5d} {p}:{l} {name}")
print(len(out),"functions over",N)
