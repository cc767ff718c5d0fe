/** A full-screen message for what the kiosk cannot get past by itself (no token, revoked token). */

export function showFatal(title: string, detail: string): void {
  document.body.replaceChildren();
  document.body.className = 'fatal';
  const box = document.createElement('div');
  box.className = 'fatal-box';
  box.setAttribute('role', 'alert');
  const h = document.createElement('h1');
  h.textContent = title;
  const p = document.createElement('p');
  p.textContent = detail;
  box.append(h, p);
  document.body.append(box);
}

export function showNoToken(): void {
  showFatal('No kiosk token', 'Open this page with the link an administrator created for this kiosk: /kiosk/?token=… (POST /api/kiosks).');
}

export function showRevoked(): void {
  showFatal('Kiosk token not accepted', 'This kiosk\'s token is unknown or was revoked. Ask an administrator for a new kiosk link.');
}
