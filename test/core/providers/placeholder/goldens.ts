// Written by golden.test.ts with UPDATE_PLACEHOLDER_GOLDENS=1. Do not edit by hand.
export const GOLDEN_VERSION = "1";
export const GOLDEN: Record<string, string[]> = {
  "knight": [
    "png:64x64:fe0f23e788189d35d825c6cf6267b15a3ca768bc697fb67c9dabf6a5bc59acee"
  ],
  "slime": [
    "png:64x64:c7e2b51ea2bb5fe6032b84ef891472de42edcf3a2156a61323f8758a68796f3d"
  ],
  "coin": [
    "png:32x32:5f2371d1bfe2d7b386754513afb11fc19bfbb5b18e6e4b55c13c54462f475b91"
  ],
  "gem": [
    "png:32x32:113749b54b83984e57f81735950b137d43e18dbfd7476d8211376014eaf7e1ac"
  ],
  "potion": [
    "png:32x32:2803bdc1358a9e9778be719b7e06515aef42fe3bfbd446a0288539ccc53bf23d"
  ],
  "tree": [
    "png:64x64:4bfdbac4d1b5cead5b90dd1b095599e7371af1510a36274766755c7e500328ba"
  ],
  "chest": [
    "png:64x64:ce8afd87a34f41089c3ad52beee9c169219d659dfacc41e4bb65093d034a0a51"
  ],
  "corgi": [
    "png:64x64:924da4bba0aadce54538f16594e150157f71fbd9f159749a2a0cf9ab7226891c"
  ],
  "bat": [
    "png:64x64:45240d4fcd0d52dae7b8c9ce3d52a02b0a9641faaa846f3d1b5cf8f1711a910b"
  ],
  "wizard": [
    "png:64x64:3c76422907e337a32a81205146ced9b147f073b2a962e5448e110531f9108414"
  ],
  "mystery": [
    "png:64x64:b9532970f39e5ddad3e684a35ad6f92124e97f22d121a68834447be92e6fd400"
  ],
  "grass": [
    "png:64x64:2418918b60ed3ae87937b29460b6cf791cfe37010eaebd56c2b9c412657dcd24"
  ],
  "bricks": [
    "png:64x64:9ad92c266f7203f1586b53721e11266304faba7ec824549644799d708abd6b66"
  ],
  "water": [
    "png:64x64:e0fb93e8b47a3bc65eeeaf0de02497a2b3032b3974a1640a496b1b862ce64e91"
  ],
  "stone": [
    "png:64x64:8088bf8308049c015170b496505c951317beab370a1b99e6a7860361e5810cab"
  ],
  "button": [
    "png:96x48:65e561dcc8a9e4fe93a0cfd7f8631a289fd56d653cc1acac60040d5081e11a3b"
  ],
  "panel": [
    "png:96x96:ddf95343bce19280d0eb8a4f2a980a4d7899499accf9b60fb0d80e19b1b57425"
  ],
  "oneBit": [
    "png:64x64:0071078a996bd3ff23241e5811dd70284badd7d7c6cb7619d9463ab502d29600"
  ],
  "itemSheet": [
    "png:128x128:ab26b9104da1cae094eed633050cb40ddb6be194956bb92dbb3044f2f43a5c68"
  ],
  "turnaround": [
    "png:192x64:75db013d61ec42fef406b74423d0fcf4e293fdaabf7f48aaec8e354d79577a0b"
  ],
  "walkSheet": [
    "png:192x192:03357e2bf6d32d6d8b9b5654c528d56c9ad56c5fe3aef1f77b71118cf1bfe027"
  ],
  "walkGif": [
    "gif:e6a8129985a1d48ba71ec6a8ecc637625ba7ebd90a45571a8dcaa1f2e9ffbf2d"
  ],
  "vfx": [
    "gif:80bcd56b0dd098dcfc6109a4bfc065dfd5636e31c78e7f7ea7507ac5be38b283"
  ],
  "paletted": [
    "png:64x64:2feb20e62a67f984b86bbaa12cf662a8a93b0d8365d554dedd100259dba3a4d9"
  ],
  "img2img": [
    "png:64x64:e9b038e699be697fb8543ba085e712fb8e91f6253b6cc9a8e777fc1428c76e04"
  ],
  "upscaled": [
    "png:128x128:6bf565e2f4c0f29d3390560ebff623f46d88da45d01965de8c707f72ebc60f63"
  ]
};
