import { makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  text: {
    fill: '#7df3e1',
    fontFamily: 'Helvetica, Arial, sans-serif',
    fontSize: 34,
    fontWeight: 700,
    letterSpacing: 1,
  },
});

/** The wordmark shown in the open sidebar. */
export const LogoFull = () => {
  const classes = useStyles();
  return (
    <svg
      viewBox="0 0 160 40"
      width={130}
      height={32}
      role="img"
      aria-label="Paved"
    >
      <path
        d="M2 34 L14 6 L20 6 L8 34 Z M14 34 L26 6 L32 6 L20 34 Z"
        fill="#7df3e1"
      />
      <text x="42" y="31" className={classes.text}>
        Paved
      </text>
    </svg>
  );
};
