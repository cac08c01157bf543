// Written by golden.test.ts with UPDATE_PLACEHOLDER_GOLDENS=1. Do not edit by hand.
export const GOLDEN_VERSION = "1";
export const GOLDEN: Record<string, string[]> = {
  "knight": [
    "e0cc0bee0c6958089807de71035c8dff1e04455943452c7f6eec530e912984b6"
  ],
  "slime": [
    "6e64200d68874f9de4d754fd88dbb8b24d60ca557cf92fed725df8d769ef5015"
  ],
  "coin": [
    "e550f7a00314fd8fe5dd7af8f89aa0994eff213d1e470d8b3314334ae6a80334"
  ],
  "gem": [
    "1a753d1f1b02717bdd08f42a67f7c1b4c6f9bdda57aab76386b233656f718932"
  ],
  "potion": [
    "cf6adeeb739cfe117895859cdaea8323095553a1b501681595b055d8b3eea543"
  ],
  "tree": [
    "21d7fb1b18c8856c11191d43ca8831f3e0bf8aa584d6f5b2beffee6ce781d102"
  ],
  "chest": [
    "d80cb49334b80d7e57ba2a2aec69bdbba52ff65474b0893ff4a1aee7437d6492"
  ],
  "corgi": [
    "d647c4ebe6c5d5d6cae1633d24e11f3601042b1d8e0de606795d5040573043bd"
  ],
  "bat": [
    "374a125ce475427c04f70a5407cd276e3274a4ecbf1b3fa9a46ccaaa0b521c7e"
  ],
  "wizard": [
    "bc0ce1cec56a7844fb5661cc73880abb506ba688ce249b885ef16bc8657ab2e7"
  ],
  "mystery": [
    "7a657cafb8444fefc44a5e3b4e100e0ab61ced327e4668a06171fca032143f45"
  ],
  "grass": [
    "83b3ec2ed478cddb493b1910a4d8a2b43506f8a3621aacd3cbc9ff1c4f080422"
  ],
  "bricks": [
    "e949c8e65e969b7d5c27726d9f37bec678d5542d17c16674a52d984a468f85d0"
  ],
  "water": [
    "b3b212e82dc0180d753c14d0baea1508dc64a7c105ec4c9f8c56ab26e8c56b94"
  ],
  "stone": [
    "b1c1333176be18de3137cb189c6d58eaa02174787558cc99ed568d5459892988"
  ],
  "button": [
    "9917770045f8bb94cbd2b594e0fe40e0665b1ea03861c5b2daf7ac36cdf85311"
  ],
  "panel": [
    "2a231a44f1b426f532bf54a2d7eebc5ad42e9cd08386beb3462d64fc6ea699d6"
  ],
  "oneBit": [
    "9e3b479c56a90a9073297b74092b552cc7833d0c8672ca40f492943d5ae38500"
  ],
  "itemSheet": [
    "87bebb486a7fa544dfe9a6c8385cb53be52c2550c3c67231ec793146756ddbef"
  ],
  "turnaround": [
    "dcce6420f7cfe40e0e830d2437bf33508a731f8dded1e865b53ebaf8fc4060fd"
  ],
  "walkSheet": [
    "9912f2a7982324e73f0fa9d9e907f2d9d2643ef436d7c8e7463b900c76c767b5"
  ],
  "walkGif": [
    "e6a8129985a1d48ba71ec6a8ecc637625ba7ebd90a45571a8dcaa1f2e9ffbf2d"
  ],
  "vfx": [
    "80bcd56b0dd098dcfc6109a4bfc065dfd5636e31c78e7f7ea7507ac5be38b283"
  ],
  "paletted": [
    "4ad2d48fdd056852c1b64fe1567205e5419da401f38329a9e147f6ef6ba7538c"
  ],
  "img2img": [
    "e1b8e59bcb6a41d5317595bf36ef94295768cd3ff175f7a8b538be231b630244"
  ],
  "upscaled": [
    "d5ce382463259b46dc932cc2b036f34d4f1eff3c7e1ab70ceed38c8618120afa"
  ]
};
