// Issue 17: what another app shares into Moodlens becomes the text to analyze.
import { describe, expect, it } from 'vitest';
import { hasSharedInbox, sharedText, textOfShare, withoutShare } from '../../src/features/analysis/share';

describe('shared text', () => {
  it('takes the text, else the title, with a link not already in it', () => {
    expect(sharedText('?share-text=So%20happy%20today')).toBe('So happy today');
    expect(sharedText('?share-title=A%20title&share-text=The%20post')).toBe('The post');
    expect(sharedText('?share-title=Only%20a%20title')).toBe('Only a title');
    expect(sharedText('?share-text=Look&share-url=https%3A%2F%2Fx.example%2Fp')).toBe('Look\nhttps://x.example/p');
    expect(sharedText('?share-text=Look%20https%3A%2F%2Fx.example%2Fp&share-url=https%3A%2F%2Fx.example%2Fp')).toBe('Look https://x.example/p');
    expect(sharedText('')).toBeNull();
    expect(sharedText('?share-text=%20%20')).toBeNull();
    expect(sharedText('?baseUrl=https%3A%2F%2Fevil.example')).toBeNull();
  });

  it('reads the parts the service worker kept the same way, and knows when it opened the app with them', () => {
    expect(textOfShare({ title: 'A post', text: ' Look ', url: 'https://x.example/p' })).toBe('Look\nhttps://x.example/p');
    expect(textOfShare({ title: 'A post', text: '', url: null })).toBe('A post');
    expect(textOfShare({})).toBeNull();
    expect(textOfShare({ text: 'x'.repeat(200_000) })).toHaveLength(100_000);
    expect(hasSharedInbox('?shared=inbox')).toBe(true);
    expect(hasSharedInbox('?shared=1')).toBe(false);
    expect(withoutShare('?shared=inbox&a=1')).toBe('?a=1');
  });

  it('leaves the other parameters in the address', () => {
    expect(withoutShare('?share-text=x&share-url=y')).toBe('');
    expect(withoutShare('?a=1&share-text=x')).toBe('?a=1');
  });
});
