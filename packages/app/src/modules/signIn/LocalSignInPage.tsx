import {
  InfoCard,
  ProxiedSignInPage,
  WarningPanel,
} from '@backstage/core-components';
import { IdentityApi } from '@backstage/core-plugin-api';
import { SignInPageProps } from '@backstage/plugin-app-react';
import { Container, Header } from '@backstage/ui';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import { FormEvent, useState } from 'react';

/** Sent to the localUser provider (plugins/auth-backend-module-local-user-provider). */
const LOCAL_USER_HEADER = 'x-paved-local-user';
const REMEMBERED = 'paved.localSignIn';

type Choice = { provider: 'guest' } | { provider: 'localUser'; user: string };

function remembered(): Choice | undefined {
  try {
    return JSON.parse(localStorage.getItem(REMEMBERED) ?? 'null') ?? undefined;
  } catch {
    return undefined;
  }
}

/** Signing out forgets the choice, so the next visit asks again. */
const forgettingOnSignOut = (identity: IdentityApi): IdentityApi => ({
  getProfileInfo: () => identity.getProfileInfo(),
  getBackstageIdentity: () => identity.getBackstageIdentity(),
  getCredentials: () => identity.getCredentials(),
  signOut: async () => {
    localStorage.removeItem(REMEMBERED);
    await identity.signOut();
  },
});

/** The backend's own words (e.g. "there is no user:default/x in the catalog"), not the HTTP status. */
const reasonOf = (error: Error) =>
  (error as { body?: { error?: { message?: string } } }).body?.error?.message ||
  error.message;

const Chooser = (props: {
  offerCatalogUsers: boolean;
  error?: Error;
  onChoose: (choice: Choice) => void;
}) => {
  const [user, setUser] = useState('');
  const signInAsUser = (event: FormEvent) => {
    event.preventDefault();
    if (user.trim())
      props.onChoose({ provider: 'localUser', user: user.trim() });
  };
  return (
    <>
      <Header title="Paved" description="Local sign-in" />
      <Container py="6">
        <Grid container spacing={3}>
          {props.error && (
            <Grid item xs={12}>
              <WarningPanel
                severity="error"
                title="Sign-in failed"
                message={reasonOf(props.error)}
                defaultExpanded
              />
            </Grid>
          )}
          <Grid item xs={12} md={4}>
            <InfoCard title="Guest">
              <Typography paragraph>
                Look around as the guest user, a member of storefront-team.
              </Typography>
              <Button
                variant="contained"
                color="primary"
                onClick={() => props.onChoose({ provider: 'guest' })}
              >
                Enter
              </Button>
            </InfoCard>
          </Grid>
          {props.offerCatalogUsers && (
            <Grid item xs={12} md={6}>
              <InfoCard title="A catalog user">
                <form onSubmit={signInAsUser}>
                  <Typography paragraph>
                    Act as anyone in catalog/org/users.yaml, with their groups
                    and permissions: for example request a promotion as one
                    person and approve it as another.
                  </Typography>
                  <TextField
                    id="paved-local-user"
                    label="User name"
                    value={user}
                    onChange={event => setUser(event.target.value)}
                    helperText="e.g. hannah-kim (storefront-team) or priya-raman (platform-team)"
                    fullWidth
                    margin="normal"
                  />
                  <Button
                    type="submit"
                    variant="contained"
                    color="primary"
                    disabled={!user.trim()}
                  >
                    Sign in
                  </Button>
                </form>
              </InfoCard>
            </Grid>
          )}
        </Grid>
      </Container>
    </>
  );
};

/**
 * Local development sign-in: the guest, or (with the localUser provider) any
 * User of the catalog. The choice is remembered until sign-out.
 */
export const LocalSignInPage = (
  props: SignInPageProps & { offerCatalogUsers: boolean },
) => {
  const { onSignInSuccess, offerCatalogUsers } = props;
  const [choice, setChoice] = useState<Choice | undefined>(remembered);
  // A new attempt with the same choice must mount a new sign-in.
  const [attempt, setAttempt] = useState(0);
  const choose = (next: Choice) => {
    setChoice(next);
    setAttempt(n => n + 1);
  };
  if (!choice) {
    return <Chooser offerCatalogUsers={offerCatalogUsers} onChoose={choose} />;
  }
  return (
    <ProxiedSignInPage
      key={attempt}
      provider={choice.provider}
      headers={
        choice.provider === 'localUser'
          ? { [LOCAL_USER_HEADER]: choice.user }
          : undefined
      }
      onSignInSuccess={identity => {
        localStorage.setItem(REMEMBERED, JSON.stringify(choice));
        onSignInSuccess(forgettingOnSignOut(identity));
      }}
      ErrorComponent={({ error }) => (
        <Chooser
          offerCatalogUsers={offerCatalogUsers}
          error={error}
          onChoose={choose}
        />
      )}
    />
  );
};
