// Screenshots of the main views at a desktop and a phone size in both themes, and axe-core on each of them.
import type { Browser } from 'playwright-core';
import { axeViolations, openPage, screenshot, type Daemon } from './harness.js';

type TestContext = { after: (fn: () => Promise<void> | void) => void };

const SIZES = [
  { name: 'desktop', width: 1280, height: 800 },
  { name: 'phone', width: 390, height: 844 },
] as const;

/** Returns every problem found: serious or critical axe violations, console errors, foreign requests. */
export async function checkViews(t: TestContext, browser: Browser, daemon: Daemon, focusName: string): Promise<string[]> {
  const problems: string[] = [];
  for (const size of SIZES) {
    for (const colorScheme of ['light', 'dark'] as const) {
      const tag = `${size.name}-${colorScheme}`;
      const w = await openPage(t, browser, daemon, { width: size.width, height: size.height, colorScheme });
      const { page } = w;
      await page.goto(daemon.url);
      await page.locator('[role=grid] [role=row]', { hasText: focusName }).first().click();
      if (size.name === 'phone') await page.getByRole('button', { name: 'Details', exact: true }).click();
      await page.getByRole('tabpanel').getByText('Info hash').waitFor();
      await screenshot(page, `${tag}-details`);
      problems.push(...(await axeViolations(page)).map((v) => `${tag} details: ${v}`));
      for (const tab of ['Files', 'Peers', 'Trackers']) {
        await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
        await page.getByRole('tabpanel').locator(tab === 'Files' ? '[role=treegrid] [role=row]' : 'table, p').first().waitFor();
        problems.push(...(await axeViolations(page)).map((v) => `${tag} ${tab} tab: ${v}`));
      }
      await screenshot(page, `${tag}-trackers`);
      await page.getByRole('tab', { name: 'Files' }).click();
      await screenshot(page, `${tag}-files`);
      await page.getByRole('tab', { name: 'Overview' }).click();
      if (size.name === 'phone') await page.getByRole('button', { name: 'Close details' }).click();
      await screenshot(page, `${tag}-list`);
      problems.push(...(await axeViolations(page)).map((v) => `${tag} list: ${v}`));
      await page.getByRole('button', { name: 'Add', exact: true }).first().click();
      await page.locator('dialog[open]').waitFor();
      await screenshot(page, `${tag}-add`);
      problems.push(...(await axeViolations(page)).map((v) => `${tag} add dialog: ${v}`));
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'Settings', exact: true }).click();
      await page.locator('dialog[open]').getByText('Statistics').waitFor();
      await page.locator('dialog[open]').getByText('Version').waitFor();
      await screenshot(page, `${tag}-settings`);
      problems.push(...(await axeViolations(page)).map((v) => `${tag} settings: ${v}`));
      await page.keyboard.press('Escape');
      for (const dialog of ['Servers', 'Create']) {
        await page.getByRole('button', { name: dialog, exact: true }).click();
        await page.locator('dialog[open]').waitFor();
        if (dialog === 'Servers') await page.locator('dialog[open] tbody tr').first().waitFor();
        await screenshot(page, `${tag}-${dialog.toLowerCase()}`);
        problems.push(...(await axeViolations(page)).map((v) => `${tag} ${dialog} dialog: ${v}`));
        await page.keyboard.press('Escape');
        await page.locator('dialog[open]').waitFor({ state: 'detached' });
      }
      problems.push(...w.problems.map((p) => `${tag}: ${p}`));
      await w.context.close();
    }
  }
  return problems;
}
