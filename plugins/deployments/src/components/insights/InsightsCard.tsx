import { stringifyEntityRef } from '@backstage/catalog-model';
import { InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import { DoraSection } from './DoraSection';

/** The entity Overview's "Insights" card: the service's DORA figures over 30 days. */
export function InsightsCard() {
  const { entity } = useEntity();
  return (
    <InfoCard
      title="Insights"
      subheader="Last 30 days of production deployments"
      deepLink={{ title: 'All insights', link: '/insights' }}
    >
      <DoraSection
        window={30}
        scope="service"
        entityRef={stringifyEntityRef(entity)}
      />
    </InfoCard>
  );
}
