/** The mark shown in the collapsed sidebar: two paving stripes. */
export const LogoIcon = () => (
  <svg viewBox="0 0 34 40" width={28} height={28} role="img" aria-label="Paved">
    <path
      d="M2 34 L14 6 L20 6 L8 34 Z M14 34 L26 6 L32 6 L20 34 Z"
      fill="#7df3e1"
    />
  </svg>
);
