import type { Page } from 'playwright-core';

// The panel as its users drive it in the browser tests: signing in through the login form, and a POST
// through the panel's proxy carrying the page's session and CSRF token, as the forms send it.

/** Signs in at `${webUrl}/login` and waits for the header that names the signed-in user. */
export async function signIn(page: Page, webUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${webUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByTestId('user-email').waitFor();
}

/** POST `${webUrl}/api/v1${path}` as the page's user; anything but 201 Created throws with the answer. */
export async function postAs<T>(page: Page, webUrl: string, path: string, data: object): Promise<T> {
  const csrf = (await page.context().cookies(webUrl)).find((c) => c.name === 'hp_csrf')?.value ?? '';
  const res = await page.request.post(`${webUrl}/api/v1${path}`, { headers: { 'x-csrf-token': csrf }, data });
  if (res.status() !== 201) throw new Error(`POST ${path}: ${res.status()} ${await res.text()}`);
  return (await res.json()) as T;
}
